import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Community events: seats never overbooked under parallel sign-ups, one registration per person, a
/// freed seat to the first in line at once, tickets checked in once at the door.
@Suite struct LifeTests {
    struct Status: Codable {
        let status: String
        let seats: Int
        let position: Int?
        let ticket: TicketRead?
    }

    @Test func parallelSignUpsNeverExceedTheSeatsAndNobodyIsRegisteredTwice() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 5)
            let people = try await h.residents(20)
            let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, String?).self) { group in
                for (_, token) in people {
                    group.addTask {
                        let r = try await h.register(event, token)
                        return (r.status, try? r.content.decode(Status.self).status)
                    }
                }
                // The first person again, ten times at once.
                for _ in 0..<10 {
                    group.addTask {
                        let r = try await h.register(event, people[0].token)
                        return (r.status, try? r.content.decode(Status.self).status)
                    }
                }
                return try await group.reduce(into: [(HTTPStatus, String?)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == .created }.count == 20)
            #expect(statuses.filter { $0.0 == .conflict }.count == 10)
            #expect(statuses.filter { $0.1 == "confirmed" }.count == 5)
            let rows = try await Registration.query(on: h.app.db).filter(\.$eventID == event).all()
            #expect(rows.count == 20 && rows.filter { $0.status == .confirmed }.map(\.seats).reduce(0, +) == 5)
            let stored = try await LifeEvent.find(event, on: h.app.db)
            #expect(stored?.confirmedSeats == 5 && stored?.waiting == 15)
        }
    }

    @Test func aCancellationPromotesTheFirstInLineAtOnceAndTellsThem() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 2)
            let people = try await h.residents(4)
            for (n, (_, token)) in people.enumerated() {
                let r = try await h.register(event, token)
                let status = try r.content.decode(Status.self)
                #expect(status.status == (n < 2 ? "confirmed" : "waitlisted"))
                if n >= 2 { #expect(status.position == n - 1 && status.ticket == nil) }
                h.clock.advance(by: 1)
            }
            let cancelled = try await h.send(.DELETE, "/api/v1/events/\(event)/registration", token: people[0].token)
            #expect(cancelled.status == .noContent)
            let third = try await h.send(.GET, "/api/v1/events/\(event)/registration", token: people[2].token)
            let promoted = try third.content.decode(Status.self)
            #expect(promoted.status == "confirmed" && promoted.ticket?.code.count == 8)
            #expect(try await h.send(.GET, "/api/v1/events/\(event)/registration", token: people[3].token).content
                .decode(Status.self).position == 1)
            let told = try await Notification.query(on: h.app.db).filter(\.$personID == people[2].person)
                .filter(\.$title == "life.note.promoted").count()
            #expect(told == 1)
            // Cancelling twice: the second is 404 (nothing to cancel), the counters stay right.
            #expect(try await h.send(.DELETE, "/api/v1/events/\(event)/registration", token: people[0].token).status == .notFound)
            let stored = try await LifeEvent.find(event, on: h.app.db)
            #expect(stored?.confirmedSeats == 2 && stored?.waiting == 1)
            // Signing up again after cancelling goes to the back of the line.
            let again = try await h.register(event, people[0].token)
            let againStatus = try again.content.decode(Status.self).status
            #expect(again.status == .created && againStatus == "waitlisted")
        }
    }

    @Test func aTicketChecksInOnceAndEveryRefusalSaysWhy() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 1)
            let people = try await h.residents(2)
            let ticket = try await h.register(event, people[0].token).content.decode(Status.self).ticket!
            _ = try await h.register(event, people[1].token)
            let worker = try await h.token("worker")
            let path = h.community + "/events/\(event)/check-ins"
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for n in 0..<10 {
                    group.addTask {
                        try await h.send(.POST, path, token: worker, raw: #"{"code":"\#(ticket.code.lowercased())","nonce":"n\#(n)"}"#).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .conflict }.count == 9)
            #expect(try await CheckIn.query(on: h.app.db).count() == 1)
            // The same scan sent again (an offline phone syncing) answers what it answered.
            let winner = try await CheckIn.query(on: h.app.db).first()!.nonce
            #expect(try await h.send(.POST, path, token: worker, raw: #"{"code":"\#(ticket.code)","nonce":"\#(winner)"}"#).status == .ok)
            let again = try await h.send(.POST, path, token: worker, raw: #"{"code":"\#(ticket.code)"}"#)
            #expect(again.status == .conflict && again.problem?.errors?.first?.reason == "already_in")
            let waiting = try await Registration.query(on: h.app.db).filter(\.$personID == people[1].person).first()!
            let refused = try await h.send(.POST, path, token: worker, raw: #"{"code":"\#(waiting.ticketCode)"}"#)
            #expect(refused.status == .conflict && refused.problem?.errors?.first?.reason == "waitlisted")
            let unknown = try await h.send(.POST, path, token: worker, raw: #"{"code":"ZZZZZZZZ"}"#)
            #expect(unknown.status == .notFound)
            // A resident cannot check people in; the other community's operator does not see the event.
            #expect(try await h.send(.POST, path, token: people[1].token, raw: #"{"code":"\#(ticket.code)"}"#).status == .notFound)
            let foreign = try await h.send(
                .GET, "/api/v1/communities/\(h.world.b)/events/\(event)", token: try await h.token("operatorB"))
            #expect(foreign.status == .notFound)
            let seats = try await h.send(.GET, h.community + "/events/\(event)", token: worker).content.decode(LifeEventRead.self)
            #expect(seats.confirmed == 1 && seats.waitlisted == 1 && seats.checkedIn == 1)
        }
    }

    @Test func othersSeeNoEventAndBadInputIsRefused() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 3)
            let outsider = try await h.token("bResident")
            #expect(try await h.register(event, outsider).status == .notFound)
            #expect(try await h.send(.GET, "/api/v1/events/\(event)/registration", token: outsider).status == .notFound)
            let mine = try await h.send(.GET, "/api/v1/me/events", token: outsider).content.decode(ListPage<LifeEventRead>.self)
            #expect(mine.items.isEmpty)
            let owner = try await h.token("owner")
            #expect(try await h.register(event, owner, seats: 3).status == .unprocessableEntity)
            let op = try await h.token("operator")
            for body in [
                #"{"title":"x","place":"y","startsAt":"2026-10-01T10:00:00Z","endsAt":"2026-10-01T09:00:00Z","capacity":5}"#,
                #"{"title":"x","place":"y","startsAt":"2026-10-01T10:00:00Z","endsAt":"2026-10-01T11:00:00Z","capacity":-1}"#,
                #"{"title":"x","place":"y","startsAt":"2026-10-01T10:00:00Z","endsAt":"2026-10-01T11:00:00Z","capacity":5,"fee":1}"#,
                #"{"title":"x","place":"无此场地","startsAt":"2026-10-01T10:00:00Z","endsAt":"2026-10-01T11:00:00Z","capacity":5}"#,
                #"{"title":"x","place":"中心广场","startsAt":"2026-10-01T10:00:00Z","endsAt":"2026-10-01T11:00:00Z","capacity":5,"audience":{"groups":["martians"]}}"#,
                #"{"title":"x","place":"中心广场","startsAt":"2026-10-01T10:00:00Z","endsAt":"2026-10-01T11:00:00Z","capacity":5,"repeatWeeks":99}"#,
            ] {
                let refused = try await h.send(.POST, h.community + "/events", token: op, raw: body)
                #expect(refused.status == .unprocessableEntity, "\(body): \(refused.status)")
            }
            #expect(try await h.send(.POST, h.community + "/events", token: owner, raw: "{}").status == .forbidden)
            #expect(try await h.count(LifeEvent.self) == 1)
        }
    }
}
