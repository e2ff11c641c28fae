import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 1 of the trust issue, its last rule: a new occupant of a household sees none of the former
/// occupants' data — members, requests, passes, bookings, lock history, notifications are bounded by the
/// new occupant's move-in date — while those who lived there all along still see everything.
@Suite struct FormerOccupantsTests {
    @Test func aNewOccupantSeesNothingFromBeforeTheyMovedIn() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let family = try await h.token("family")
            let now = h.clock.now()
            // What the owner's household did on 2026-09-21: a request, a visitor pass, a booking, a lock
            // code and an unlock, and a notification a rule sent to the home.
            let order = try await WorkOrderTests().file(h, owner, "repair_water")
            let iso = ISO8601DateFormatter()
            let pass = try await h.send(
                .POST, "/api/v1/me/visitor-passes", token: owner,
                raw:
                    #"{"householdID":"\#(h.world.home)","visitorName":"李阿姨","validFrom":"\#(iso.string(from: now))","validUntil":"\#(iso.string(from: now.addingTimeInterval(7 * 86_400)))","entries":5}"#
            ).content.decode(PassCreated.self)
            let service = try await ServiceTests().service(h, op, capacity: 2)
            let booking = try await ServiceTests().book(h, owner, service.id, home: h.world.home)
                .content.decode(BookingOut.self)
            let (lockID, _) = try await h.device(
                "door_lock", "101门锁", token: op, extra: #","householdID":"\#(h.world.home)""#)
            let code = try await h.send(
                .POST, "/api/v1/me/locks/\(lockID)/codes", token: family, raw: #"{"label":"保洁","hours":240,"oneTime":false}"#
            ).content.decode(LockCodeCreated.self)
            #expect(try await h.send(.POST, "/api/v1/me/locks/\(lockID)/unlock", token: owner).status == .created)
            let note = Notification()
            note.communityID = h.world.a
            note.householdID = h.world.home
            note.title = "101 漏水报警"
            note.createdAt = now
            try await note.create(on: h.app.db)

            // Two days later the owner moves out, and the neighbour moves in (today, by default).
            h.clock.advance(by: 2 * 86_400)
            let members = try await h.send(.GET, h.community + "/households/\(h.world.home)/members", token: op)
                .content.decode(ListPage<MembershipRead>.self).items
            let ownership = try #require(members.first { $0.personID == h.world.owner })
            let moved = try await h.send(
                .PATCH, h.community + "/households/\(h.world.home)/members/\(ownership.id)", token: op,
                raw: #"{"movedOut":"\#(Calendar.chinaDate(h.clock.now()))"}"#)
            #expect(moved.status == .ok, "\(moved.text)")
            let joined = try await h.send(
                .POST, h.community + "/households/\(h.world.home)/members", token: op,
                raw: #"{"phone":"\#(h.world.phones["neighbour"]!)","relation":"tenant"}"#)
            #expect(joined.status == .created, "\(joined.text)")
            let newcomer = try await h.token("neighbour")

            // The newcomer: nothing of the former occupant, on lists or by id.
            let orders = try await h.send(.GET, "/api/v1/me/work-orders", token: newcomer)
                .content.decode(ListPage<WorkOrderRead>.self)
            #expect(!orders.items.contains { $0.id == order.id })
            #expect(try await h.send(.GET, "/api/v1/work-orders/\(order.id)", token: newcomer).status == .notFound)
            let passes = try await h.send(.GET, "/api/v1/me/visitor-passes", token: newcomer)
                .content.decode(ListPage<PassRead>.self)
            #expect(passes.items.isEmpty)
            #expect(
                try await h.send(.POST, "/api/v1/me/visitor-passes/\(pass.pass.id)/revoke", token: newcomer).status
                    == .notFound)
            let bookings = try await h.send(.GET, "/api/v1/me/bookings", token: newcomer).content.decode(ListPage<BookingOut>.self).items
            #expect(bookings.isEmpty)
            #expect(
                try await h.send(.POST, "/api/v1/bookings/\(booking.id)/cancel", token: newcomer).status == .notFound)
            // The lock is theirs now, its history from before is not.
            let locks = try await h.send(.GET, "/api/v1/me/locks", token: newcomer).content.decode(ListPage<LockRead>.self).items
            #expect(locks.count == 1 && locks[0].lastCommand == nil)
            let codes = try await h.send(.GET, "/api/v1/me/locks/\(lockID)/codes", token: newcomer)
                .content.decode(ListPage<LockCodeRead>.self).items
            #expect(codes.isEmpty)
            #expect(
                try await h.send(.DELETE, "/api/v1/me/locks/\(lockID)/codes/\(code.id)", token: newcomer).status
                    == .notFound)
            let events = try await h.send(.GET, "/api/v1/me/locks/\(lockID)/events", token: newcomer)
                .content.decode(Locks.LockEvents.self)
            #expect(events.commands.isEmpty)
            let notes = try await h.send(.GET, "/api/v1/me/notifications", token: newcomer)
                .content.decode(ListPage<NotificationRead>.self)
            #expect(notes.items.isEmpty)
            let seen = try await h.send(.GET, h.community + "/households/\(h.world.home)/members", token: newcomer)
                .content.decode(ListPage<MembershipRead>.self).items
            #expect(Set(seen.map(\.personID)) == [h.world.family, h.world.neighbour])

            // The family member who lived there all along still sees all of it.
            let familyOrders = try await h.send(.GET, "/api/v1/me/work-orders", token: family)
                .content.decode(ListPage<WorkOrderRead>.self)
            #expect(familyOrders.items.contains { $0.id == order.id })
            #expect(try await h.send(.GET, "/api/v1/work-orders/\(order.id)", token: family).status == .ok)
            #expect(
                try await h.send(.GET, "/api/v1/me/visitor-passes", token: family)
                    .content.decode(ListPage<PassRead>.self).items.count == 1)
            #expect(try await h.send(.GET, "/api/v1/me/bookings", token: family).content.decode(ListPage<BookingOut>.self).items.count == 1)
            #expect(
                try await h.send(.GET, "/api/v1/me/locks/\(lockID)/events", token: family)
                    .content.decode(Locks.LockEvents.self).commands.count >= 2)
            #expect(
                try await h.send(.GET, "/api/v1/me/notifications", token: family)
                    .content.decode(ListPage<NotificationRead>.self).items.count == 1)
            #expect(
                try await h.send(.GET, h.community + "/households/\(h.world.home)/members", token: family)
                    .content.decode(ListPage<MembershipRead>.self).items.count == 3)

            // What the household does after the newcomer moved in is theirs too.
            let later = try await WorkOrderTests().file(h, family, "repair_electricity")
            let now2 = try await h.send(.GET, "/api/v1/me/work-orders", token: newcomer)
                .content.decode(ListPage<WorkOrderRead>.self)
            #expect(now2.items.contains { $0.id == later.id })
            #expect(try await h.send(.GET, "/api/v1/work-orders/\(later.id)", token: newcomer).status == .ok)
        }
    }

    @Test func thePolicyBoundsRecordsByTheMoveInDay() {
        let home = UUID()
        let community = UUID()
        let movedIn = Date(timeIntervalSince1970: 1_790_000_000)
        let newcomer = Principal(
            personID: UUID(), households: [home: community], residentSince: [home: movedIn])
        #expect(AccessPolicy.decide(.viewHouseholdRecord(household: home, madeAt: movedIn), for: newcomer) == .allow)
        #expect(
            AccessPolicy.decide(.viewHouseholdRecord(household: home, madeAt: movedIn - 1), for: newcomer) == .hidden)
        #expect(
            AccessPolicy.decide(
                .viewWorkOrder(household: home, community: community, assignee: nil, filedAt: movedIn - 1),
                for: newcomer) == .hidden)
        // The staff member it is assigned to sees it whenever it was filed.
        #expect(
            AccessPolicy.decide(
                .viewWorkOrder(household: home, community: community, assignee: newcomer.personID, filedAt: .distantPast),
                for: newcomer) == .allow)
        #expect(AccessPolicy.decide(.viewHouseholdRecord(household: UUID(), madeAt: movedIn), for: newcomer) == .hidden)
    }
}
