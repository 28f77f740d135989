import Testing
@testable import CanaryGovernance

@Suite("Track report")
struct TrackReportTests {
    @Test("Tracks resolve by name, dashed name or id")
    func resolve() {
        #expect(TrackReport.resolve("root", in: .kusama)?.id == 0)
        #expect(TrackReport.resolve("whitelisted-caller", in: .kusama)?.id == 1)
        #expect(TrackReport.resolve("34", in: .kusama)?.name == "big_spender")
        #expect(TrackReport.resolve("3", in: .kusama) == nil)
        #expect(TrackReport.resolve("nope", in: .kusama) == nil)
        #expect(TrackTable.preset("Kusama") != nil && TrackTable.preset("polkadot") == nil)
    }

    @Test("Percent and KSM rendering")
    func formatting() {
        #expect(TrackReport.percent(Perbill(parts: 464_285_715)) == "46.4285715%")
        #expect(TrackReport.percent(Perbill(parts: 500_000_000)) == "50%")
        #expect(TrackReport.percent(Perbill(parts: 1)) == "0.0000001%")
        #expect(TrackReport.ksm(100 * Kusama.grand) == "3333.3333")
        #expect(TrackReport.ksm(Kusama.quid) == "0.0333")
    }

    @Test("JSON: the root track's fields and constants as integers; one point with Perbill parts")
    func json() throws {
        let json = TrackReport.tracksJSON(.kusama, preset: "kusama")
        #expect(json.contains(#"{"id":0,"name":"root","origins":["root"],"max_deciding":1,"decision_deposit":3333333333300000,"prepare_period":1200,"decision_period":201600,"confirm_period":14400,"min_enactment_period":14400,"min_approval":{"type":"Reciprocal","factor":222222224,"x_offset":333333335,"y_offset":333333332},"min_support":{"type":"LinearDecreasing","length":1000000000,"floor":0,"ceil":500000000}}"#))
        #expect(json.contains(#""y_offset":-7772020"#))
        let root = try #require(TrackTable.kusama.track(named: "root"))
        #expect(TrackReport.pointJSON(track: root, root.curvePoint(elapsed: 14_400))
                == #"{"track":"root","id":0,"decision_period":201600,"elapsed":14400,"x":71428571,"approval":882352942,"support":464285715}"#)
    }

    @Test("Samples cover the decision period at the default step of 1/28, ends included")
    func samples() throws {
        let root = try #require(TrackTable.kusama.track(named: "root"))
        let pts = root.curvePoints()
        #expect(pts.count == 29)
        #expect(pts.first?.elapsed == 0 && pts.last?.elapsed == 201_600)
        #expect(pts[1].elapsed == 7_200)
        #expect(pts.last?.support == .zero)
        let tipper = try #require(TrackTable.kusama.track(named: "small_tipper"))
        #expect(tipper.curvePoints(step: 100_000).map(\.elapsed) == [0, 100_000, 100_800])
    }
}
