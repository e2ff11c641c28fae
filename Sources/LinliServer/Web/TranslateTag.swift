import Leaf
import Vapor

/// `#t("key")` in templates: the text of `key` in the request's language.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw LinliError(.internalError)
        }
        let language = ctx.request?.language ?? .zhCN
        var arguments: [String: String] = [:]
        for (index, parameter) in ctx.parameters.dropFirst().enumerated() {
            arguments["\(index)"] = parameter.string ?? parameter.description
        }
        return .string(L10n.text(key, language, arguments))
    }
}
