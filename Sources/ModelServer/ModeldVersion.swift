/// The one place modeld's version lives; `modeld --version` and logs read it from here.
public enum ModeldVersion {
    /// The release version, semantic versioning.
    public static let string = "0.1.0"
}
