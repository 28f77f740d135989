import CanaryEngine

/// The block requests of Substrate's until-imported queue (`sc-consensus-grandpa`,
/// `until_imported.rs`): a GRANDPA message that references a block the node has not imported
/// waits for it, and every `CHECK_PENDING_INTERVAL` (5 s) the queue looks at the blocks it
/// still waits on; one that is still unknown `LOG_PENDING_INTERVAL` (15 s) after it was first
/// awaited (and every 15 s after that) is asked of the sync service with
/// `set_sync_fork_request`, which fetches that fork from a peer that has it.
///
/// Without it a node never learns a block that is no longer on anyone's best chain (a fork
/// block the others imported while it was down): BABE's sync after a restart fetches only the
/// best chain, so a catch-up or vote naming the fork block waited for good and the node never
/// caught up (`canary explore` finding `grandpa-fork-block-wait`, docs/reliability.md).
///
/// The request goes to the latest sender of a message waiting for the block (a peer that has
/// imported it: voters vote only for imported blocks, and answer catch-ups only with them);
/// Substrate's sync picks any peer whose best block is high enough and retries another one.
struct UntilImportedFetch {
    /// `CHECK_PENDING_INTERVAL`.
    static let checkInterval = SimTime.seconds(5)
    /// `LOG_PENDING_INTERVAL`: first request this long after the block was first awaited, then
    /// again every interval while it stays unknown.
    static let requestInterval = SimTime.seconds(15)

    struct Awaited {
        var block: BlockId
        /// Whom to ask: the latest sender of a message that waits for the block.
        var from: UInt32
        /// When to ask (again).
        var next: SimTime
    }

    /// Awaited blocks per node, in the order first awaited.
    var awaited: [[Awaited]]
    /// Whether the node's check timer is scheduled.
    var armed: [Bool]

    init(nodes: Int) {
        awaited = Array(repeating: [], count: nodes)
        armed = Array(repeating: false, count: nodes)
    }

    /// A message from `from` now waits for `block` at `node`; `serves` says whether that peer
    /// answers block requests (a silent BABE node does not, so it is asked only when no other
    /// sender is known). Returns true when the node's check timer must be scheduled (it was not).
    mutating func note(node: Int, block: BlockId, from: UInt32, serves: Bool, now: SimTime) -> Bool {
        if let i = awaited[node].firstIndex(where: { $0.block == block }) {
            if serves { awaited[node][i].from = from }
        } else {
            awaited[node].append(Awaited(block: block, from: from, next: now + Self.requestInterval))
        }
        if armed[node] { return false }
        armed[node] = true
        return true
    }

    /// The node crashed: its queue died with it.
    mutating func clear(node: Int) {
        awaited[node].removeAll()
        armed[node] = false
    }

    /// The periodic check at `node`: forgets blocks now imported and returns the requests due,
    /// as (block, peer). `armed` stays set when blocks are still awaited (the caller re-arms).
    mutating func check(node: Int, now: SimTime, imported: (BlockId) -> Bool) -> [(block: BlockId, to: UInt32)] {
        awaited[node].removeAll { imported($0.block) }
        var due: [(block: BlockId, to: UInt32)] = []
        for i in awaited[node].indices where awaited[node][i].next <= now {
            due.append((awaited[node][i].block, awaited[node][i].from))
            awaited[node][i].next = now + Self.requestInterval
        }
        armed[node] = !awaited[node].isEmpty
        return due
    }
}
