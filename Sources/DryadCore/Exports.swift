// The JSON value and the JSON Schema validator are modules of their own, below the core;
// every user of the core sees them as part of it (`DryadError` included).
@_exported import DryadJSON
@_exported import DryadJSONSchema
