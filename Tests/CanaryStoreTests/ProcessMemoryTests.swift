import Testing
import Foundation
@testable import CanaryStore

@Suite struct ProcessMemoryTests {
    @Test func readsResidentAndPeakFromProcStatus() {
        let status = """
            Name:\tcanary
            VmPeak:\t 1234568 kB
            VmHWM:\t  204800 kB
            VmRSS:\t  102400 kB
            Threads:\t1
            """
        let m = ProcessMemory.parse(status: status)
        #expect(m == ProcessMemory(residentBytes: 102_400 * 1024, peakResidentBytes: 204_800 * 1024))
        #expect(ProcessMemory.parse(status: "Name:\tx\nVmRSS:\t12 kB\n") == nil)
    }

    @Test func thisProcessIsMeasuredOnLinux() throws {
        #if os(Linux)
        let m = try #require(ProcessMemory.current())
        #expect(m.residentBytes > 1_000_000)
        #expect(m.peakResidentBytes >= m.residentBytes)
        #endif
    }
}
