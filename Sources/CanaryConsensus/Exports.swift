@_exported import CanaryChain
