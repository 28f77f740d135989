import Foundation
import CanaryScenario
import CanaryNPoS

/// libFuzzer harness for Canary's parsers (docs/reliability.md, "Fuzzing"). One binary, three
/// targets, chosen by the `CANARY_FUZZ_TARGET` environment variable:
/// - `scenario`: scenario YAML through `ScenarioDecoder.decode` (limits, depth bound, sections);
/// - `expectation`: one `expect:` line through `Expectation.parse`;
/// - `snapshot`: election snapshot JSON through `ElectionSnapshot.decode`, and small decoded
///   snapshots through the election itself.
/// Every input must return or throw a described error: a trap, a hang or an out-of-memory is
/// a finding. `Fuzz/run.sh` builds and runs it.
enum Target: String { case scenario, expectation, snapshot }

nonisolated(unsafe) let target: Target = {
    let name = ProcessInfo.processInfo.environment["CANARY_FUZZ_TARGET"] ?? "scenario"
    guard let t = Target(rawValue: name) else { fatalError("CANARY_FUZZ_TARGET must be scenario, expectation or snapshot") }
    return t
}()

/// libFuzzer calls this with each input; it must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    switch target {
    case .scenario:
        _ = try? ScenarioDecoder.decode(yaml: text, file: "fuzz.yaml")
    case .expectation:
        _ = Expectation.parse(text)
    case .snapshot:
        if let s = try? ElectionSnapshot.decode(json: text), s.candidates.count <= 16, s.voters.count <= 32 {
            _ = try? s.run()
        }
    }
    return 0
}

#if FUZZING   // set by Fuzz/run.sh; a normal build links without libFuzzer
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `<TargetName>_main`; hand control to libFuzzer.
@_cdecl("CanaryFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = target
    var c = argc, v = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOne)
}
#else
/// `swift build` / `swift test` build every target: without libFuzzer, say how to run it.
@_cdecl("CanaryFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    print("this is the fuzz harness built without libFuzzer; run Fuzz/run.sh scenario|expectation|snapshot [seconds]")
    return 2
}
#endif
