import Foundation

/// The resident memory of this process, as Linux reports it in `/proc/self/status`: `VmRSS`
/// (resident now) and `VmHWM` (the peak resident size so far, the "high water mark").
///
/// Measured by the store layer at wall-clock intervals while a run goes, never by simulation
/// code (which stays free of the wall clock and of the host): the figures describe the host
/// process, not the simulated network, so they are kept out of the run digest
/// (`process_samples`, `runs.peak_rss_bytes`; docs/performance.md, "Memory").
public struct ProcessMemory: Sendable, Equatable {
    public var residentBytes: UInt64
    public var peakResidentBytes: UInt64

    /// The current figures, or nil where `/proc/self/status` is not available (not Linux).
    public static func current() -> ProcessMemory? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return parse(status: text)
    }

    /// Reads `VmRSS` and `VmHWM` (in kB) from the text of a `/proc/<pid>/status` file.
    public static func parse(status text: String) -> ProcessMemory? {
        var rss: UInt64?, hwm: UInt64?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = kilobytes(line) } else if line.hasPrefix("VmHWM:") { hwm = kilobytes(line) }
        }
        guard let r = rss, let h = hwm else { return nil }
        return ProcessMemory(residentBytes: r, peakResidentBytes: max(h, r))
    }

    static func kilobytes(_ line: Substring) -> UInt64? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let v = UInt64(fields[1].trimmingCharacters(in: .whitespaces)) else { return nil }
        let unit = fields.count >= 3 ? fields[2].lowercased() : "kb"
        return unit == "kb" ? v * 1024 : v
    }
}
