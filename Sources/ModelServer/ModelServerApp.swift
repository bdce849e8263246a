/// Placeholder until the application lands.
public enum ModelServerApp {}
