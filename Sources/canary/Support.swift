import Foundation
import CanaryStore
import CanaryEngine

/// SIGINT / SIGTERM set a flag the run loop polls, so an interrupted run is stored as
/// `incomplete` instead of dying mid-transaction.
enum Interrupt {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    static var requested: Bool { flag != 0 }
    static func install() {
        signal(SIGINT) { _ in Interrupt.flag = 1 }
        signal(SIGTERM) { _ in Interrupt.flag = 1 }
        // A parent may start us with these signals blocked (a process spawned from a
        // libdispatch worker thread inherits its mask, e.g. from a test runner): unblock them,
        // or Ctrl-C and `kill` would be held back until the run ends.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

/// Monotonic wall-clock seconds, for speed reports only. // wall-clock ok
final class WallClock: @unchecked Sendable {
    let origin = ContinuousClock.now // wall-clock ok
    var seconds: Double {
        let d = ContinuousClock.now - origin // wall-clock ok
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// CPU seconds (user + system) this process used so far, for speed reports only: on a shared
/// machine they measure the work better than wall time does.
func processCPUSeconds() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

/// How `canary run` reports progress on stderr (`--progress`).
enum ProgressMode: Equatable {
    /// One self-overwriting line, redrawn 4 times a second (a terminal).
    case line
    /// A plain line every `every` seconds of wall time, for logs (nohup, CI, a cluster job).
    case log(every: Double)
    case off
}

/// Progress on stderr: simulated time, % done, speed and the wall time left at that speed.
final class ProgressLine {
    let mode: ProgressMode
    var lastDraw = -1.0
    var shown = false
    init(mode: ProgressMode) { self.mode = mode }

    func update(_ p: RunProgress, wall: Double) {
        switch mode {
        case .off: return
        case .line:
            guard wall - lastDraw >= 0.25 else { return }
            lastDraw = wall
            shown = true
            FileHandle.standardError.write(Data(("\r  " + Self.text(p, wall: wall) + "\u{1B}[K").utf8))
        case .log(let every):
            guard lastDraw < 0 || wall - lastDraw >= every else { return }
            lastDraw = wall
            FileHandle.standardError.write(Data(("progress: " + Self.text(p, wall: wall) + "\n").utf8))
        }
    }

    /// "3h12m / 1d  13.3%  52 sim-s/s  81.2 M events  left 1h40m" (no estimate before the
    /// first simulated second).
    static func text(_ p: RunProgress, wall: Double) -> String {
        let speed = wall > 0 ? p.simulated.seconds / wall : 0
        var s = String(format: "%@ / %@  %5.1f%%  %.0f sim-s/s  %.1f M events", p.simulated.description,
                       p.total.description, p.fraction * 100, speed, Double(p.events) / 1e6)
        if speed > 0, p.simulated.seconds >= 1 {
            let left = Int64(((p.total - p.simulated).seconds / speed).rounded())
            s += "  left " + SimTime.seconds(max(left, 0)).description
        }
        return s
    }

    func finish() {
        if mode == .line && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// "debug" or "release": benchmark figures mean something only in a release build.
#if DEBUG
let buildKind = "debug"
#else
let buildKind = "release"
#endif
