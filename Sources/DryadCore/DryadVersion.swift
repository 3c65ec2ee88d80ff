/// The version of this dryad, as `dryad version` prints it and the OpenAPI document states it.
public enum DryadVersion {
    public static let current = "0.1.0"
}
