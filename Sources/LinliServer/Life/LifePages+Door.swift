import Fluent
import Foundation
import LinliCore
import Vapor

/// The check-in page at the door, for organisers and the club's leaders on a phone: the camera where the
/// browser reads QR codes (`BarcodeDetector`), else the typed code; in and out; every refusal with its
/// reason. It keeps the event's ticket hashes and queues scans (each with a nonce) while offline, and
/// sends them when the network is back: the server counts each ticket once and says which scan lost.
extension LifePages {
    struct DoorPage: Encodable {
        let eventID: String
        let title: String
        let when: String
        let place: String
        let confirmed: Int
        let checkedIn: Int
        let hashes: String
        let scan: String
        let back: String?
    }

    static func doorEvent(_ req: Request) async throws -> LifeEvent {
        guard let event = try await LifeEvent.find(try req.id("eventID"), on: req.db),
            try await CommunityLife.mayRunDoor(event, req)
        else { throw LinliError(.notFound) }
        return event
    }

    @Sendable static func doorPage(_ req: Request) async throws -> Response {
        let event = try await doorEvent(req)
        let id = try event.requireID()
        let rows = try await Registration.query(on: req.db).filter(\.$eventID == id).filter(\.$status == .confirmed).all()
        let response = try await req.render(
            "life/door", title: req.t("life.door.title"),
            DoorPage(
                eventID: id.uuidString, title: event.title, when: when(event.startsAt, event.endsAt), place: event.place,
                confirmed: rows.count, checkedIn: rows.filter { $0.checkedInAt != nil }.count,
                hashes: rows.map(\.ticketHash).sorted().joined(separator: ","), scan: LifeRoute.doorScan(id).path,
                back: req.can(.organiseEvents(event.communityID)) ? LifeRoute.consoleEvent(event.communityID, id).path : nil),
            keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// What the door page's script reads after a scan.
    struct ScanAnswer: Content {
        let ok: Bool
        let reason: String?
        let message: String
        let name: String?
        let seats: Int?
        let replay: Bool
    }

    @Sendable static func postDoorScan(_ req: Request) async throws -> Response {
        struct Form: Content {
            var code: String
            var nonce: String?
            var direction: String?
        }
        let event = try await doorEvent(req)
        let form = try req.content.decode(Form.self)
        let json = req.headers.accept.contains { $0.mediaType == .json }
        var v = Validation()
        let code = v.text(form.code, "code", max: 64) ?? ""
        _ = v.text(form.nonce, "nonce", max: 64, required: false)
        try v.check()
        let direction = CheckIns.Direction(rawValue: form.direction ?? "in") ?? .in
        let answer: ScanAnswer
        var status = HTTPStatus.created
        do {
            let outcome = try await CheckIns.scan(
                event, code: code, nonce: form.nonce, direction: direction, by: try req.user().principal.personID,
                now: req.clock.now(), on: req.db)
            let name = try await Person.find(outcome.registration.personID, on: req.db)?.name
            status = outcome.replay ? .ok : .created
            answer = ScanAnswer(
                ok: true, reason: nil,
                message: req.t(direction == .in ? "life.door.in" : "life.door.out", ["name": name ?? "", "seats": "\(outcome.registration.seats)"]),
                name: name, seats: outcome.registration.seats, replay: outcome.replay)
        } catch let error as LinliError where error.code == .conflict || error.code == .notFound {
            let reason = error.issues.first?.reason ?? "ticket_unknown"
            var message = req.reasonText(FieldIssue(field: "code", reason: reason)) ?? reason
            if let since = error.arguments["since"].flatMap({ ISO8601DateFormatter().date(from: $0) }) {
                message = req.t("life.door.inSince", ["at": ConsolePages.time(since, req)])
            }
            status = error.code.status
            answer = ScanAnswer(ok: false, reason: reason, message: message, name: nil, seats: nil, replay: false)
        }
        if json {
            let response = try await answer.encodeResponse(status: status, for: req)
            response.headers.cacheControl = .init(noStore: true)
            return response
        }
        req.flash(answer.message, error: !answer.ok)
        return req.redirect(to: LifeRoute.door(try event.requireID()).path)
    }
}
