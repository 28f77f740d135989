import Testing
import Foundation

/// The repository is complete on its own: no file refers to a sibling folder outside it, and
/// the fixtures the tests read are inside it.
@Suite struct SelfContainedTests {
    @Test func noFileRefersOutsideTheRepository() throws {
        let root = CLI.packageRoot
        let needle = ".." + "/shared"  // spelled in two parts so this file does not match itself
        var offenders: [String] = []
        let skip: Set<String> = [".build", ".git", ".swiftpm"]
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey])!
        var checked = 0
        while let url = walker.nextObject() as? URL {
            let name = url.lastPathComponent
            if skip.contains(name) || name.hasPrefix(".build") { walker.skipDescendants(); continue }
            guard (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == false,
                  let data = try? Data(contentsOf: url), data.count < 5_000_000 else { continue }
            checked += 1
            if String(decoding: data, as: UTF8.self).contains(needle) {
                offenders.append(String(url.path.dropFirst(root.path.count + 1)))
            }
        }
        #expect(checked > 50, "walked only \(checked) files under \(root.path)")
        #expect(offenders.sorted() == [], "files referring outside the repository")
    }

    @Test func vectorFixturesLiveInTheRepository() throws {
        let dir = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/vectors")
        let readme = try String(contentsOf: dir.appendingPathComponent("README.md"), encoding: .utf8)
        for sub in ["npos", "economics"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(sub).path)
                .filter { $0.hasSuffix(".json") }.sorted()
            #expect(!files.isEmpty)
            // Each file's upstream source is named in the README.
            for f in files { #expect(readme.contains("`\(sub)/\(f)`"), "README lacks the source of \(sub)/\(f)") }
        }
    }
}

/// The shipped example election snapshot runs as documented in docs/npos.md.
@Test func shippedElectionSnapshotElects() throws {
    let r = try CLI.run(["elect", "Scenarios/elections/example.json", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let out = try CLI.json(r.stdout)
    let winners = try #require(out["winners"] as? [[String: Any]])
    #expect(winners.count == 5)
    #expect((out["score"] as? [String])?.count == 3)
}

/// `Reports/` ships the reports the README promises, each one self-contained (inline SVG, no
/// scripts, nothing fetched). Their content is checked for byte-identity on regeneration by
/// `SuiteCommandsTests.reportIsByteIdenticalWhenRegenerated`; `Reports/regenerate.sh` rebuilds them.
@Test func shippedReportsExist() throws {
    let dir = CLI.packageRoot.appendingPathComponent("Reports")
    let listed = try String(contentsOf: dir.appendingPathComponent("scenarios.txt"), encoding: .utf8)
        .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    for required in ["Scenarios/examples/network-smoke.yaml", "Scenarios/kusama/babe-300.yaml", "Scenarios/kusama/grandpa-300.yaml",
                     "Scenarios/economics/inflation-ideal-60.yaml", "Scenarios/governance/root-upgrade-30.yaml"] {
        #expect(listed.contains(required), "Reports/scenarios.txt lacks \(required)")
    }
    for name in ["network-smoke", "babe-300", "grandpa-300", "inflation-ideal-60", "governance-root-upgrade-30"] {
        let html = try String(contentsOf: dir.appendingPathComponent("\(name)/index.html"), encoding: .utf8)
        #expect(html.contains("<svg ") && !html.contains("<script") && !html.contains("https://"), "Reports/\(name)")
    }
}
