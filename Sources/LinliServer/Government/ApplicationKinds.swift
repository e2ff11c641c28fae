import Fluent
import Foundation
import LinliCore
import Vapor

/// A kind of application a community's operators added (the built-in ones are in ``Applications``): its
/// name, the materials it asks for, and whether it has a home visit and publicity, help first, re-checks.
final class ApplicationKindRow: Model, @unchecked Sendable {
    static let schema = "gov_application_kinds"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    /// The materials' names, one per line.
    @Field(key: "materials") var materials: String
    @Field(key: "investigated") var investigated: Bool
    @Field(key: "help_first") var helpFirst: Bool
    @OptionalField(key: "recheck_months") var recheckMonths: Int?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var kind: Applications.Kind {
        Applications.Kind(
            code: code, materials: materials.split(separator: "\n").map(String.init), investigated: investigated, helpFirst: helpFirst,
            recheckMonths: recheckMonths, name: name)
    }
}

struct KindInput: Content {
    let code: String
    let name: String
    let materials: [String]
    let investigated: Bool?
    let helpFirst: Bool?
    let recheckMonths: Int?
}

struct KindRead: Content {
    let code: String
    let name: String
    let builtIn: Bool
    let materials: [String]
    let investigated: Bool
    let helpFirst: Bool
    let recheckMonths: Int?
}

enum ApplicationKinds {
    /// The built-in kinds and the community's own, in that order.
    static func all(_ community: UUID, on db: any Database) async throws -> [Applications.Kind] {
        let own = try await ApplicationKindRow.query(on: db).filter(\.$communityID == community).sort(\.$createdAt).all()
        return Applications.kinds + own.map(\.kind)
    }

    static func kind(_ code: String, community: UUID, on db: any Database) async throws -> Applications.Kind? {
        if let builtIn = Applications.kind(code) { return builtIn }
        return try await ApplicationKindRow.query(on: db).filter(\.$communityID == community).filter(\.$code == code).first()?.kind
    }

    /// The kind's name in the reader's language: the strings name the built-in ones, the operator their own.
    static func name(_ kind: Applications.Kind, _ req: Request) -> String { kind.name ?? req.t("gov.kind.\(kind.code)") }

    /// A material's name: the strings name the built-in ones; an operator's kind names its own.
    static func materialName(_ code: String, _ req: Request) -> String {
        let key = "gov.material.\(code)"
        let text = req.t(key)
        return text == key ? code : text
    }

    /// `[a-z][a-z0-9_]{1,39}`, as the document says.
    static func isCode(_ text: String) -> Bool {
        guard (2...40).contains(text.count), let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func add(_ input: KindInput, community: UUID, now: Date, on db: any Database) async throws -> ApplicationKindRow {
        var v = Validation()
        if !isCode(input.code) { v.fail("code", "invalid_value") }
        let name = v.text(input.name, "name", max: 60)
        var materials: [String] = []
        if input.materials.isEmpty || input.materials.count > 20 { v.fail("materials", "out_of_range") }
        for (i, m) in input.materials.enumerated() {
            if let text = v.text(m, "materials[\(i)]", max: 40) { materials.append(text) }
        }
        if Set(materials).count != materials.count || materials.contains("other") { v.fail("materials", "duplicate") }
        v.range(input.recheckMonths, "recheckMonths", 1...24)
        try v.check()
        guard try await kind(input.code, community: community, on: db) == nil else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "code", reason: "taken")])
        }
        let row = ApplicationKindRow()
        row.communityID = community
        row.code = input.code
        row.name = name ?? ""
        row.materials = materials.joined(separator: "\n")
        row.investigated = input.investigated ?? false
        row.helpFirst = input.helpFirst ?? false
        row.recheckMonths = input.recheckMonths
        row.createdAt = now
        do { try await row.create(on: db) } catch let error as any DatabaseError where error.isConstraintFailure {
            throw LinliError(.conflict, issues: [FieldIssue(field: "code", reason: "taken")])
        }
        return row
    }

    static func read(_ kind: Applications.Kind, _ req: Request) -> KindRead {
        KindRead(
            code: kind.code, name: name(kind, req), builtIn: kind.name == nil, materials: kind.materials, investigated: kind.investigated,
            helpFirst: kind.helpFirst, recheckMonths: kind.recheckMonths)
    }

    static let schemas: [(String, JSONValue)] = [
        (
            "ApplicationKind",
            Schema.object(
                [
                    ("code", Schema.string()), ("name", Schema.string()), ("builtIn", Schema.bool), ("materials", Schema.array(Schema.string())),
                    ("investigated", Schema.bool), ("helpFirst", Schema.bool), ("recheckMonths", Schema.nullable(Schema.integer())),
                ], required: ["code", "name", "builtIn", "materials"])
        )
    ]

    static let input = Schema.object(
        [
            ("code", Schema.string(min: 2, max: 40, pattern: "^[a-z][a-z0-9_]{1,39}$")), ("name", Schema.string(min: 1, max: 60)),
            ("materials", Schema.array(Schema.string(min: 1, max: 40))), ("investigated", Schema.bool), ("helpFirst", Schema.bool),
            ("recheckMonths", Schema.integer(min: 1, max: 24)),
        ], required: ["code", "name", "materials"])
}
