import Vapor

/// The languages Linli speaks: Chinese first, English second.
public enum Language: String, Codable, Sendable, CaseIterable {
    case zhCN = "zh-CN"
    case en = "en"

    /// Picks the first supported language of an `Accept-Language` header, by its q-values.
    static func preferred(acceptLanguage header: String?) -> Language? {
        guard let header else { return nil }
        let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, !tag.isEmpty else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag.lowercased(), q)
        }
        for (tag, q) in ranked.sorted(by: { $0.1 > $1.1 }) where q > 0 {
            if tag.hasPrefix("zh") { return .zhCN }
            if tag.hasPrefix("en") { return .en }
        }
        return nil
    }

    init?(setting: String?) {
        switch setting?.lowercased() {
        case "zh-cn", "zh", "zh-hans": self = .zhCN
        case "en", "en-us", "en-gb": self = .en
        default: return nil
        }
    }
}

/// The localisation table: one dictionary per language, same keys in each.
/// A table of user-facing strings, one dictionary per language with the same keys.
protocol LocalizedStrings {
    static var zhCN: [String: String] { get }
    static var en: [String: String] { get }
}

/// The platform's own strings (navigation, account pages, console frame, fields, errors, reasons).
enum PlatformStrings: LocalizedStrings {}

/// The one localisation mechanism: the platform's table and every feature's, merged.
public enum L10n {
    static let tables: [any LocalizedStrings.Type] = [PlatformStrings.self] + Features.all.compactMap { $0.strings }
    static let zhCN: [String: String] = tables.reduce(into: [:]) { all, t in all.merge(t.zhCN) { first, _ in first } }
    static let en: [String: String] = tables.reduce(into: [:]) { all, t in all.merge(t.en) { first, _ in first } }

    static func table(_ language: Language) -> [String: String] {
        switch language {
        case .zhCN: zhCN
        case .en: en
        }
    }

    /// The text for `key`, with `{name}` placeholders filled in. A missing key shows itself.
    public static func text(_ key: String, _ language: Language, _ arguments: [String: String] = [:]) -> String {
        var text = table(language)[key] ?? key
        for (name, value) in arguments {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }
}

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// The language of this request: the user's setting, then the `lang` cookie, then `Accept-Language`.
    public var language: Language {
        if let cached = storage[LanguageKey.self] { return cached }
        let chosen =
            Language(setting: auth.get(CurrentUser.self)?.person.language)
            ?? Language(setting: cookies["lang"]?.string)
            ?? Language.preferred(acceptLanguage: headers.first(name: .acceptLanguage))
            ?? .zhCN
        storage[LanguageKey.self] = chosen
        return chosen
    }

    func resetLanguage() { storage[LanguageKey.self] = nil }

    func t(_ key: String, _ arguments: [String: String] = [:]) -> String {
        L10n.text(key, language, arguments)
    }

    /// The localised text of an issue's reason code with the error's `{placeholders}` filled (the other
    /// event a venue is taken by), or nil where the table has none.
    func reasonText(_ issue: FieldIssue, _ arguments: [String: String] = [:]) -> String? {
        guard L10n.table(language)["reason.\(issue.reason)"] != nil else { return nil }
        return L10n.text("reason.\(issue.reason)", language, arguments)
    }

    /// A field's label for people (`field.<name>` in the table); the API name where the table has none.
    func fieldName(_ field: String) -> String {
        L10n.table(language)["field.\(field)"] ?? field
    }
}
