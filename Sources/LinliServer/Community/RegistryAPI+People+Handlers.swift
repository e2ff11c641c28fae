import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    @Sendable static func listResidents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.residents)
        return try await Residents.page(in: id, options, on: req)
    }

    @Sendable static func createResident(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let (person, _) = try await Registry.createResident(in: id, try req.decode(ResidentCreate.self), on: req)
        return Created(value: try PersonRead(person))
    }

    @Sendable static func importResidents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        guard req.headers.contentType?.subType == "csv" || req.headers.contentType == .plainText else {
            throw LinliError(.unsupportedMediaType, ["expected": "text/csv"])
        }
        guard let buffer = req.body.data, let text = String(data: Data(buffer: buffer), encoding: .utf8) else {
            throw LinliError(
                .importRejected, ["count": "1"], issues: [FieldIssue(line: 1, reason: "import.not_csv")])
        }
        return Created(value: try await ResidentImporter.run(text, in: id, on: req))
    }

    @Sendable static func getPerson(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (person, _) = try await person(req)
        return try PersonRead(person)
    }

    @Sendable static func updatePerson(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (person, community) = try await person(req)
        try req.authorize(.manageRegistry(community))
        try await Registry.updatePerson(person, in: community, try req.decode(PersonUpdate.self), on: req)
        return try PersonRead(person)
    }

    @Sendable static func startPasswordReset(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (person, community) = try await person(req)
        let (code, expiresAt) = try await Credentials.startReset(for: person, in: community, on: req)
        return Created(value: ResetStarted(code: code, expiresAt: expiresAt))
    }
}
