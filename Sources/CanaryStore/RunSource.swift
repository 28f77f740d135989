import GRDB

extension ResultStore {
    /// Stores the scenario file's text with its run (`runs.scenario_text`), so that a report or
    /// a diff made from the database alone can show what was run, even after the file changed.
    public func setScenarioText(_ text: String, run: Int64) throws {
        try db.write { try $0.execute(sql: "UPDATE runs SET scenario_text = ? WHERE id = ?", arguments: [text, run]) }
    }
}
