import CanaryEngine

// The runtime hooks of block production (`BabeModel.runtime`): the runtime version that executes
// a block decides its proposal and import times (its first block pays the migration) and which
// clients can execute it; a validator whose client cannot neither authors nor imports it. The
// runtime keeps these decisions per fork (CanaryRuntime, state per block).
extension BabeModel {
    func proposalTime(childOf parent: BlockId) -> SimTime {
        runtime?.proposalTime(childOf: parent, in: tree, base: config.proposalTime) ?? config.proposalTime
    }

    func importTime(_ b: BlockId) -> SimTime {
        runtime?.importTime(b, in: tree, base: config.importTime) ?? config.importTime
    }

    func runtimeCanExecute(_ node: UInt32, childOf parent: BlockId) -> Bool {
        runtime?.canExecute(node: node, childOf: parent, in: tree) ?? true
    }

    func runtimeCanExecute(_ node: UInt32, block b: BlockId) -> Bool {
        runtime?.canExecute(node: node, block: b, in: tree) ?? true
    }
}
