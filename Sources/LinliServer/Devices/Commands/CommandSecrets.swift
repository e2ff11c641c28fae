import LinliCore

/// Parameters that carry a secret to a device (`set_code`'s code): delivered to the device as given,
/// shown as `***` in every read of the command (API, pages, audit), and wiped from the stored command
/// once it is done.
enum CommandSecrets {
    static let mask = "***"

    /// The command's params text with its secret values replaced by `***`.
    static func redacted(_ method: String, _ params: String) -> String {
        let keys = DeviceCatalog.secretParams(method)
        guard !keys.isEmpty, case .object(var object)? = JSON.parse(params) else { return params }
        for key in keys where object[key] != nil { object[key] = .string(mask) }
        return JSON.object(object).text
    }
}
