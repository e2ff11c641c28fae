import Fluent
import Foundation
import LinliCore
import Vapor

/// `linli seed-faces --community NAME --count N [--model M] [--dimension D]`: synthetic people with
/// consent and a sealed random face vector each, for load tests of the decision API (not for production
/// data: the people have phones 170xxxxxxxx and no homes).
struct SeedFacesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "community", help: "Community name") var community: String?
        @Option(name: "count", help: "People to add (20000)") var count: Int?
        @Option(name: "model", help: "Model name (load-512)") var model: String?
        @Option(name: "dimension", help: "Vector dimension (512)") var dimension: Int?
    }

    var help: String { "Adds synthetic consenting people with face vectors, for load tests." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let name = signature.community,
            let community = try await Community.query(on: app.db).filter(\.$name == name).first()
        else {
            context.console.error("--community must name an existing community")
            throw LinliError(.notFound)
        }
        let count = signature.count ?? 20_000
        let dimension = signature.dimension ?? 512
        let model = signature.model ?? "load-512"
        let vault = try app.faceVault
        var rng = SeededRandom(seed: 512)
        let now = Date()
        let start = try await Person.query(on: app.db).filter(\.$phone >= "17000000000").filter(
            \.$phone < "17100000000"
        ).count()
        for chunk in stride(from: 0, to: count, by: 1000) {
            let sealed = try (chunk..<min(chunk + 1000, count)).map { _ in
                try vault.seal((0..<dimension).map { _ in Float(rng.noise(1)) })
            }
            try await app.db.writeTransaction { db in
                for i in chunk..<min(chunk + 1000, count) {
                    let person = Person(name: "测试\(start + i)", phone: String(format: "170%08d", start + i))
                    person.id = UUID()
                    try await person.create(on: db)
                    let consent = FaceConsent()
                    consent.communityID = try community.requireID()
                    consent.personID = try person.requireID()
                    consent.version = FaceConsentText.version
                    consent.acceptedAt = now
                    consent.givenBy = try person.requireID()
                    consent.serverMatching = true
                    try await consent.create(on: db)
                    let vector = FaceVector()
                    vector.id = UUID()
                    vector.communityID = try community.requireID()
                    vector.personID = try person.requireID()
                    vector.model = model
                    vector.dimension = dimension
                    vector.sealed = sealed[i - chunk]
                    vector.createdAt = now
                    try await vector.create(on: db)
                }
            }
        }
        context.console.success("added \(count) people with \(model) faces to \(name)")
    }
}
