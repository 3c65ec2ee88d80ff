/// The work one validation may do, counted in steps, so that no schema and instance can hold
/// a thread for long: a `$ref` fan-out, `uniqueItems` over many alike items and a pattern
/// that backtracks are all refused once they have spent the budget.
///
/// A step is about the cost of applying one schema to one value. The default is set from
/// `Benchmarks/schema.sh` (release build, 2-core development machine, 2026-12-07): the review's
/// attacks are refused after 75-100 ms, while honest inputs of their shapes need far less (a
/// 1.5 MB array of 20,000 records against a 10-property schema: 200,001 steps; 100,000
/// unique strings: 100,001).
public enum SchemaBudget {
    /// The budget of one validation unless the caller gives another.
    public static let defaultSteps = 1_000_000
    /// Applying one schema (its keywords) to one instance location.
    static let stepsPerSchema = 1
    /// Hashing or comparing one value (`uniqueItems`, `const`, `enum`).
    static let stepsPerValue = 1
    /// One progress report of the regular-expression engine, which ICU makes every 10,000
    /// steps of its own matching: about 0.25 ms here (4,600 a second), what 2,500 schema
    /// applications cost, so a runaway pattern stops at the same wall-clock time as a fan-out.
    static let stepsPerRegexTick = 2_500
}
