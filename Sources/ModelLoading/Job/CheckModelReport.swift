/// What `modeld check-model DIR` found: each step it ran, with what it found and how long
/// it took, and the error that stopped it, if any.
public struct CheckModelReport: Sendable {
    /// Whether a step succeeded.
    public enum Status: String, Sendable {
        case ok
        case failed
    }

    /// One step's outcome.
    public struct StepResult: Sendable {
        /// The step; its `number` and `message` come from the step table.
        public var step: LoadStep
        public var status: Status
        /// What the step found (`tensors=199`, `sha256=verified`, ...), in the order found.
        public var facts: [(key: String, value: String)]
        /// Wall-clock time the step took.
        public var duration: Duration
        /// Why it failed, when `status` is `.failed`.
        public var error: ModelLoadError?

        /// The step's number, 1-based (`LoadStep.number`).
        public var number: Int { step.number }
        /// The step's message (`LoadStep.message`).
        public var message: String { step.message }
    }

    /// The model folder checked.
    public var directory: String
    /// The model's id (the folder's name).
    public var modelID: String
    /// The steps that ran, in order; a failed step is the last one.
    public var steps: [StepResult]

    /// The error of the step that failed, if one did.
    public var error: ModelLoadError? { steps.last?.error }

    /// Whether every checked step succeeded.
    public var isValid: Bool { error == nil && steps.count == CheckModel.steps.count }
}
