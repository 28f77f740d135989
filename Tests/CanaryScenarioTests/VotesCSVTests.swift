import Testing
import Foundation
@testable import CanaryScenario
import CanaryGovernance

/// The votes CSV reader (CSV.swift underneath): quoted fields, CRLF, a byte-order mark, and
/// error lines that stay right across comments and quoted line breaks.
@Suite struct VotesCSVTests {
    func parse(_ text: String) -> (names: [String], votes: [AccountVote], errors: [String]) {
        var accounts = GovernanceSection.Accounts()
        let r = VotesCSV.parse(text, referenda: 1, accounts: &accounts)
        let votes = r.actions.compactMap { a -> AccountVote? in if case let .vote(_, _, v) = a.kind { v } else { nil } }
        return (accounts.names, votes, r.errors.map { "\($0.line): \($0.message)" })
    }

    @Test func quotedFieldsCRLFAndByteOrderMark() {
        let text = "\u{FEFF}at,referendum,account,vote,conviction,balance\r\n"
            + "# a comment, with \"quotes\r\n"
            + "90s,0,\"Whale, the first\",aye,locked2x,500 KSM\r\n"
            + "\r\n"
            + "2m,0,\"say \"\"no\"\"\",nay,none,1000000000000\r\n"
        let r = parse(text)
        #expect(r.errors == [])
        #expect(r.names == ["Whale, the first", "say \"no\""])
        let ksm: Balance = 1_000_000_000_000
        #expect(r.votes == [.standard(aye: true, conviction: .locked2x, balance: 500 * ksm),
                            .standard(aye: false, conviction: .none, balance: ksm)])
    }

    @Test func errorsNameTheLineARecordStartsOn() {
        let text = """
        at,referendum,account,vote,balance
        # comment
        1m,0,"two
        lines",aye,1 KSM
        2m,0,carol,maybe,1 KSM
        """
        let r = parse(text)
        #expect(r.names == ["two\nlines"])
        #expect(r.errors == ["5: vote must be aye, nay, split or abstain"])
    }

    @Test func missingHeaderColumnsAndEmptyFiles() {
        #expect(parse("at,referendum,account\n1m,0,x\n").errors.contains("1: header lacks the column 'vote'"))
        #expect(parse("# only a comment\n\n").errors == ["1: empty file: expected a header line"])
    }
}
