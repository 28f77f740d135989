extension Network {
    /// The network's counters and latency distributions as results: tables `node_traffic` and
    /// `message_counts`, `messages.*` scalars and `latency[.class]` distributions.
    public func results(classes: [String], regions: [String]) -> RunResults {
        var r = RunResults()
        var traffic = ResultTable(name: "node_traffic", columns: [
            .init("node", .integer), .init("region", .text), .init("sent", .integer), .init("received", .integer),
            .init("bytes_sent", .integer), .init("bytes_received", .integer), .init("dropped", .integer),
        ], key: ["node"])
        for (i, t) in self.traffic.enumerated() {
            traffic.rows.append([.int(i), .text(regions[Int(nodeRegion[i])]), .int(t.sent), .int(t.received),
                                 .int(t.bytesSent), .int(t.bytesReceived), .int(t.dropped)])
        }
        var counts = ResultTable(name: "message_counts", columns: [
            .init("class", .text), .init("sent", .integer), .init("delivered", .integer), .init("dropped_loss", .integer),
            .init("dropped_partition", .integer), .init("dropped_crash", .integer), .init("bytes_delivered", .integer),
        ], key: ["class"])
        var total = MessageClassStats()
        var all = LogHistogram()
        for (i, s) in classStats.enumerated() {
            let name = i < classes.count ? classes[i] : "class\(i)"
            counts.rows.append([.text(name), .int(s.sent), .int(s.delivered), .int(s.droppedLoss),
                                .int(s.droppedPartition), .int(s.droppedCrash), .int(s.bytesDelivered)])
            total.sent += s.sent; total.delivered += s.delivered; total.droppedLoss += s.droppedLoss
            total.droppedPartition += s.droppedPartition; total.droppedCrash += s.droppedCrash
            all.merge(latency[i])
            r.distributions.append(("latency.\(name)", latency[i]))
            r.scalars.append(("messages.\(name).sent", Double(s.sent)))
            r.scalars.append(("messages.\(name).delivered", Double(s.delivered)))
        }
        r.tables = [traffic, counts]
        r.distributions.append(("latency", all))
        r.scalars += [
            ("messages.sent", Double(total.sent)),
            ("messages.delivered", Double(total.delivered)),
            ("messages.dropped", Double(total.droppedLoss + total.droppedPartition + total.droppedCrash)),
            ("messages.dropped.loss", Double(total.droppedLoss)),
            ("messages.dropped.partition", Double(total.droppedPartition)),
            ("messages.dropped.crash", Double(total.droppedCrash)),
        ]
        if total.sent > 0 { r.scalars.append(("messages.delivery_ratio", Double(total.delivered) / Double(total.sent))) }
        return r
    }

    /// Metrics `results(classes:regions:)` produces, for the expectation language.
    public static func metrics(classes: [String]) -> [MetricDefinition] {
        var m: [MetricDefinition] = [
            MetricDefinition("messages.sent", .count, "Message copies sent (all classes)."),
            MetricDefinition("messages.delivered", .count, "Message copies delivered."),
            MetricDefinition("messages.dropped", .count, "Copies lost to loss, partitions or crashes."),
            MetricDefinition("messages.dropped.loss", .count, "Copies lost to random loss."),
            MetricDefinition("messages.dropped.partition", .count, "Copies blocked by a partition."),
            MetricDefinition("messages.dropped.crash", .count, "Copies addressed to a crashed node."),
            MetricDefinition("messages.delivery_ratio", .ratio, "delivered / sent."),
            MetricDefinition("latency", .duration, distribution: true, "Send-to-arrival time of every delivered copy."),
        ]
        for cls in classes {
            m.append(MetricDefinition("messages.\(cls).sent", .count, "Copies of \(cls) messages sent."))
            m.append(MetricDefinition("messages.\(cls).delivered", .count, "Copies of \(cls) messages delivered."))
            m.append(MetricDefinition("latency.\(cls)", .duration, distribution: true, "Send-to-arrival time of \(cls) messages."))
        }
        return m
    }
}
