/// Where each sequence's real tokens sit once padding is dropped.
///
/// The encoder runs only on tokens whose attention mask is 1, packed back to back. This is
/// exactly what Hugging Face's additive mask computes for those tokens: a masked key gets
/// `finfo.min` added to its score, so its softmax weight underflows to 0 and it contributes
/// nothing; dropping it gives the same sums without the padded rows' work.
struct BertTokenLayout: Sendable {
    /// First packed row of each sequence.
    let starts: [Int]
    /// Real tokens of each sequence.
    let lengths: [Int]
    /// For each packed row: its index in the padded batch (`sequence · length + position`).
    let sourceIndices: [Int]

    /// Total packed rows.
    var rowCount: Int {
        sourceIndices.count
    }

    /// Reads the layout off `batch`'s attention mask.
    init(_ batch: TokenBatch) {
        var starts: [Int] = []
        var lengths: [Int] = []
        var sources: [Int] = []
        sources.reserveCapacity(batch.ids.count)
        for sequence in 0..<batch.batchSize {
            starts.append(sources.count)
            let base = sequence * batch.sequenceLength
            for position in 0..<batch.sequenceLength where batch.attentionMask[base + position] != 0 {
                sources.append(base + position)
            }
            lengths.append(sources.count - starts[sequence])
        }
        self.starts = starts
        self.lengths = lengths
        sourceIndices = sources
    }
}
