import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The rules around seats: venues that do not double-book, series, offers that pass on, the fair draw,
/// fees paid once and refunded once, no-shows held back, reminders once, sign-up on someone's behalf.
@Suite struct LifeRulesTests {
    @Test func aVenueIsNotDoubleBookedAndASeriesIsOneEventPerWeek() async throws {
        try await withLinli { h in
            let first = try await h.event(capacity: 10, hoursAhead: 48)
            let op = try await h.token("operator")
            let starts = h.clock.now().addingTimeInterval(49 * 3600)
            let clash = try await h.send(
                .POST, h.community + "/events", token: op,
                raw: #"{"title":"合唱","place":"中心广场","startsAt":"\#(Harness.iso.string(from: starts))","endsAt":"\#(Harness.iso.string(from: starts.addingTimeInterval(3600)))","capacity":5}"#)
            #expect(clash.status == .conflict)
            #expect(clash.problem?.errors?.first?.reason == "venue_taken")
            #expect(clash.problem?.errors?.first?.message?.contains("太极拳体验课") == true)
            #expect(try await h.lifeEvent(first).title == "太极拳体验课")
            _ = try await h.event(capacity: 10, hoursAhead: 200, place: "活动室", extra: #""repeatWeeks":4"#)
            let series = try await LifeEvent.query(on: h.app.db).filter(\.$place == "活动室").sort(\.$startsAt).all()
            #expect(series.count == 4 && Set(series.map(\.seriesID)).count == 1 && series[0].seriesID != nil)
            #expect(series[3].startsAt.timeIntervalSince(series[0].startsAt) == 3 * 7 * 86_400)
        }
    }

    @Test func anOfferIsHeldThenPassesOnAndIsTakenInTime() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 1, extra: #""waitlist":"offers","offerHours":2"#)
            let people = try await h.residents(3)
            for (_, token) in people {
                _ = try await h.register(event, token)
                h.clock.advance(by: 1)
            }
            #expect(try await h.send(.DELETE, "/api/v1/events/\(event)/registration", token: people[0].token).status == .noContent)
            let offered = try await h.send(.GET, "/api/v1/events/\(event)/registration", token: people[1].token)
                .content.decode(RegistrationRead.self)
            #expect(offered.status == "offered" && offered.ticket == nil, "\(offered)")
            #expect(try await h.lifeEvent(event).confirmedSeats == 1)
            h.clock.advance(by: 2 * 3600 + 1)
            try await h.tickLife()
            #expect(try await Registration.query(on: h.app.db).filter(\.$personID == people[1].person).first()?.status == .cancelled)
            let next = try await h.send(.POST, "/api/v1/events/\(event)/registration", token: people[2].token, raw: "{}")
            #expect(next.status == .ok)
            #expect(try next.content.decode(RegistrationRead.self).status == "confirmed")
            let e = try await h.lifeEvent(event)
            #expect(e.confirmedSeats == 1 && e.waiting == 0)
            #expect(try await h.register(event, people[2].token).status == .conflict)
        }
    }

    @Test func aDrawnEventDrawsItsFirstMinuteBySeed() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 2, extra: #""drawMinutes":1"#)
            let people = try await h.residents(5)
            for (_, token) in people {
                let r = try await h.register(event, token)
                let status = try r.content.decode(RegistrationRead.self).status
                #expect(r.status == .created && status == "pending")
            }
            h.clock.advance(by: 61)
            try await h.tickLife()
            let e = try await h.lifeEvent(event)
            #expect(e.confirmedSeats == 2 && e.waiting == 3 && e.drawnAt != nil)
            let rows = try await Registration.query(on: h.app.db).filter(\.$eventID == event).all()
            let entrants = rows.map { Seating.Waiting(id: $0.id!, seats: $0.seats, signedUpAt: $0.signedUpAt) }
            let again = Seating.draw(entrants, capacity: 2, seed: UInt64(e.drawSeed!)!)
            #expect(Set(again.confirmed.map(\.id)) == Set(rows.filter { $0.status == .confirmed }.map(\.id!)))
            let late = try await h.residents(1, from: 50)
            #expect(try await h.register(event, late[0].token).content.decode(RegistrationRead.self).position == 4)
        }
    }

    @Test func aFeeIsPaidOnceAndRefundedOnceUnderParallelRepeats() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 10, extra: #""feeFen":500"#)
            try await h.topUp(h.world.home, fen: 2000)
            let owner = try await h.token("owner")
            let signups = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<8 { group.addTask { try await h.register(event, owner).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(signups.filter { $0 == .created }.count == 1 && signups.filter { $0 == .conflict }.count == 7)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 1500)
            let cancels = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await h.send(.DELETE, "/api/v1/events/\(event)/registration", token: owner).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(cancels.filter { $0 == .noContent }.count >= 1)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 2000)
            // Too little in the wallet: refused, nothing registered.
            let poor = try await h.register(event, try await h.token("neighbour"))
            #expect(poor.status == .conflict && poor.problem?.errors?.first?.reason == "insufficient_balance")
            #expect(try await Registration.query(on: h.app.db).filter(\.$personID == h.world.neighbour).count() == 0)
            // An event cancelled: every fee back, once.
            _ = try await h.register(event, owner)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 1500)
            let op = try await h.token("operator")
            let twice = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<4 { group.addTask { try await h.send(.POST, h.community + "/events/\(event)/cancellation", token: op).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(twice.filter { $0 == .noContent }.count == 1)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 2000)
        }
    }

    @Test func noShowsHoldAPersonBehindOthersOnTheWaitlist() async throws {
        try await withLinli { h in
            let people = try await h.residents(3)
            let (missing, other, first) = (people[0], people[1], people[2])
            for n in 0..<3 {
                let e = try await h.event(capacity: 5, hoursAhead: 1, place: "场地\(n)")
                #expect(try await h.register(e, missing.token).status == .created)
                h.clock.advance(by: 3 * 3600)
                try await h.tickLife()
            }
            #expect(try await Registration.query(on: h.app.db).filter(\.$noShow == true).count() == 3)
            let event = try await h.event(capacity: 1)
            _ = try await h.register(event, first.token)
            _ = try await h.register(event, missing.token)
            h.clock.advance(by: 60)
            _ = try await h.register(event, other.token)
            func position(_ token: String) async throws -> Int? {
                try await h.send(.GET, "/api/v1/events/\(event)/registration", token: token).content.decode(RegistrationRead.self).position
            }
            // Signed up first, but held back: second in line.
            #expect(try await position(missing.token) == 2)
            #expect(try await position(other.token) == 1)
            _ = try await h.send(.DELETE, "/api/v1/events/\(event)/registration", token: first.token)
            #expect(try await Registration.query(on: h.app.db).filter(\.$personID == other.person).filter(\.$eventID == event).first()?.status == .confirmed)
            #expect(try await Registration.query(on: h.app.db).filter(\.$personID == missing.person).filter(\.$eventID == event).first()?.status == .waitlisted)
        }
    }

    @Test func remindersGoOutOnceADayAndTwoHoursBefore() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 5, hoursAhead: 30)
            let owner = try await h.token("owner")
            _ = try await h.register(event, owner)
            func told(_ key: String) async throws -> Int {
                try await LinliServer.Notification.query(on: h.app.db).filter(\.$personID == h.world.owner).filter(\.$title == key).count()
            }
            try await h.tickLife()
            #expect(try await told("life.note.tomorrow") == 0)
            h.clock.advance(by: 7 * 3600)
            try await h.tickLife()
            try await h.tickLife()
            #expect(try await told("life.note.tomorrow") == 1)
            h.clock.advance(by: 22 * 3600)
            try await h.tickLife()
            let soon = try await told("life.note.soon")
            let tomorrow = try await told("life.note.tomorrow")
            #expect(soon == 1 && tomorrow == 1)
        }
    }

    @Test func staffSignUpAResidentOnTheirBehalfAndTheCalendarFeedIsPrivate() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 5)
            let worker = try await h.token("worker")
            let made = try await h.send(
                .POST, h.community + "/events/\(event)/registrations", token: worker, json: ["personID": h.world.neighbour.uuidString])
            #expect(made.status == .created)
            #expect(try await Registration.query(on: h.app.db).filter(\.$personID == h.world.neighbour).first()?.signedUpBy != h.world.neighbour)
            let roster = try await h.send(.GET, h.community + "/events/\(event)/registrations", token: worker)
                .content.decode(ListPage<RosterRead>.self)
            #expect(roster.items.count == 1 && roster.items[0].onBehalf && roster.items[0].name == "周杰")
            let foreign = try await h.send(
                .POST, h.community + "/events/\(event)/registrations", token: worker, json: ["personID": UUID().uuidString])
            #expect(foreign.status == .notFound)
            let owner = try await h.token("owner")
            let feed = try await h.send(.POST, "/api/v1/me/calendar", token: owner).content.decode(CalendarFeedRead.self)
            let ics = try await h.send(.GET, feed.url)
            #expect(ics.status == .ok && ics.headers.contentType?.subType == "calendar")
            #expect(ics.text.contains("BEGIN:VEVENT") && ics.text.contains("SUMMARY:太极拳体验课") && ics.text.contains("\r\n"))
            _ = try await h.send(.POST, "/api/v1/me/calendar", token: owner)
            #expect(try await h.send(.GET, feed.url).status == .notFound)
            let outsider = try await h.send(.POST, "/api/v1/me/calendar", token: try await h.token("bResident"))
                .content.decode(CalendarFeedRead.self)
            #expect(!(try await h.send(.GET, outsider.url)).text.contains("BEGIN:VEVENT"))
        }
    }

    @Test func twoOfflinePhonesScanningOneTicketCountOnce() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 5)
            let owner = try await h.token("owner")
            let code = try await h.register(event, owner).content.decode(RegistrationRead.self).ticket!.code
            let worker = try await h.token("worker")
            let path = h.community + "/events/\(event)/check-ins"
            // Each phone queued its scan offline with its own nonce, and both sync at once, twice.
            let results = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for phone in ["phone-a", "phone-b", "phone-a", "phone-b"] {
                    group.addTask { try await h.send(.POST, path, token: worker, json: ["code": code, "nonce": phone + "-1"]).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .created }.count == 1)
            #expect(try await CheckIn.query(on: h.app.db).count() == 1)
            #expect(results.filter { $0 == .conflict }.count >= 1)
            let tickets = try await h.send(.GET, h.community + "/events/\(event)/tickets", token: worker).content.decode(TicketListRead.self)
            #expect(tickets.hashes == [Registrations.hash(code)])
            #expect(try await h.send(.GET, h.community + "/events/\(event)/tickets", token: owner).status == .notFound)
        }
    }
}
