import Fluent
import Foundation
import LinliCore
import Vapor

extension ElderCare {
    @Sendable static func setCareWatch(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let watch = try await CareAPI.setWatch(id, try req.id("personID"), try req.decode(CareWatchInput.self), on: req)
        return try await CareAPI.reads([watch], on: req.db)[0]
    }

    @Sendable static func listCareWatch(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let page = try await CareWatch.scoped(to: id, on: req.db).filter(\.$active == true)
            .page(try req.listOptions(.careWatches), map: { $0 })
        return ListPage(items: try await CareAPI.reads(page.items, on: req.db), metadata: page.metadata)
    }

    @Sendable static func listCareChecks(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let open: [WelfareWatch.Step] = [.reminder, .family, .worker]
        var query = CareCheck.scoped(to: id, on: req.db)
        switch req.query[String.self, at: "status"] ?? "open" {
        case "open": query = query.filter(\.$step ~~ open)
        case "done": query = query.filter(\.$step !~ open)
        default:
            throw LinliError(
                .invalidListQuery, ["field": "status"], issues: [FieldIssue(field: "status", reason: "invalid_value")])
        }
        let page = try await query.page(try req.listOptions(.careChecks), map: { $0 })
        return ListPage(items: try await CareAPI.checkReads(page.items, on: req.db), metadata: page.metadata)
    }

    @Sendable static func recordCareVisit(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let check = try await CareCheck.find(try req.id("checkID"), in: id, on: req.db)
        let input = try req.decode(VisitInput.self)
        try await CareWatchService.visit(
            check, outcome: input.outcome, note: input.note, by: try req.user().principal.personID,
            app: req.application)
        return try await CareAPI.checkReads([try await CareCheck.find(try check.requireID(), in: id, on: req.db)], on: req.db)[0]
    }

    @Sendable static func logCareCall(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let person = try req.id("personID")
        guard try await CareWatch.scoped(to: id, on: req.db).filter(\.$personID == person)
            .filter(\.$active == true).first() != nil
        else { throw LinliError(.notFound) }
        let worker = try req.user().principal.personID
        return CheckInRead(
            acknowledged: try await CareWatchService.checkIn(
                person: person, by: worker, counts: true, now: req.clock.now(), app: req.application))
    }

    @Sendable static func careCheckIn(_ req: Request) async throws -> some AsyncResponseEncodable {
        let me = try req.user().principal.personID
        let input = (req.body.data?.readableBytes ?? 0) > 0 ? try req.decode(CheckInInput.self) : CheckInInput(personID: nil)
        let person = input.personID ?? me
        guard try await CareAPI.mayAnswer(for: person, req) else { throw LinliError(.notFound) }
        return CheckInRead(
            acknowledged: try await CareWatchService.checkIn(person: person, by: me, now: req.clock.now(), app: req.application))
    }
}
