import Foundation
import Testing

@testable import LinliCore

@Suite struct SeatingTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    func waiting(_ n: Int, seats: Int = 1, behind: Bool = false, at offset: TimeInterval? = nil) -> Seating.Waiting {
        Seating.Waiting(
            id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, seats: seats,
            signedUpAt: t0.addingTimeInterval(offset ?? Double(n)), behind: behind)
    }

    @Test func aSignUpIsConfirmedOnlyWhenSeatsAreFreeAndNobodyWaits() {
        #expect(Seating.answer(seats: 2, capacity: 10, confirmed: 8, held: 0, waiting: 0, inDrawWindow: false) == .confirmed)
        #expect(Seating.answer(seats: 3, capacity: 10, confirmed: 8, held: 0, waiting: 0, inDrawWindow: false) == .waitlisted)
        // A seat held by an offer is not free; a freed seat belongs to the first in line.
        #expect(Seating.answer(seats: 1, capacity: 10, confirmed: 9, held: 1, waiting: 0, inDrawWindow: false) == .waitlisted)
        #expect(Seating.answer(seats: 1, capacity: 10, confirmed: 5, held: 0, waiting: 1, inDrawWindow: false) == .waitlisted)
        #expect(Seating.answer(seats: 1, capacity: 10, confirmed: 0, held: 0, waiting: 0, inDrawWindow: true) == .pending)
    }

    @Test func theLinePutsThoseHeldBackLastAndNobodyJumpsIt() {
        let line = Seating.line([waiting(3), waiting(1, behind: true), waiting(2)])
        #expect(line.map(\.seats) == [1, 1, 1] && line.map(\.behind) == [false, false, true])
        #expect(line.first?.id == waiting(2).id)
        // Two free seats, the first waits for three: nobody behind them moves up.
        let blocked = Seating.promote([waiting(1, seats: 3), waiting(2)], free: 2, capacity: 10)
        #expect(blocked.isEmpty)
        // A registration that can never fit does not block the line.
        let skipped = Seating.promote([waiting(1, seats: 30), waiting(2), waiting(3, seats: 2)], free: 3, capacity: 10)
        #expect(skipped.map(\.id) == [waiting(2).id, waiting(3).id])
    }

    @Test func anOfferEndsAfterItsHoldOrAtTheStart() {
        #expect(Seating.offerEnds(now: t0, hold: 86_400, startsAt: t0.addingTimeInterval(3 * 86_400)) == t0.addingTimeInterval(86_400))
        #expect(Seating.offerEnds(now: t0, hold: 86_400, startsAt: t0.addingTimeInterval(3600)) == t0.addingTimeInterval(3600))
    }

    @Test func theDrawIsTheSameForTheSameSeedFitsTheSeatsAndPutsThoseHeldBackLast() {
        let entrants = (1...40).map { waiting($0, seats: $0 % 3 == 0 ? 2 : 1, behind: $0 % 10 == 0) }
        let a = Seating.draw(entrants, capacity: 20, seed: 42)
        let b = Seating.draw(entrants.reversed(), capacity: 20, seed: 42)
        let c = Seating.draw(entrants, capacity: 20, seed: 43)
        #expect(a.confirmed.map(\.id) == b.confirmed.map(\.id) && a.waitlist.map(\.id) == b.waitlist.map(\.id))
        #expect(a.confirmed.map(\.id) != c.confirmed.map(\.id))
        #expect(a.confirmed.map(\.seats).reduce(0, +) <= 20 && a.confirmed.map(\.seats).reduce(0, +) >= 19)
        #expect(Set(a.confirmed.map(\.id)).union(a.waitlist.map(\.id)).count == 40)
        #expect(a.confirmed.allSatisfy { !$0.behind })
        // Fixed output for seed 42: a change of the algorithm would change who won a recorded draw.
        #expect(a.confirmed.prefix(5).map { Int($0.id.uuidString.suffix(12))! } == [26, 17, 36, 12, 19], "\(a.confirmed.map { Int($0.id.uuidString.suffix(12))! })")
    }

    @Test func threeNoShowsInNinetyDaysHoldAPersonBackForThirtyDays() {
        let rule = Seating.NoShowRule()
        let day = 86_400.0
        let shows = [t0, t0.addingTimeInterval(40 * day), t0.addingTimeInterval(80 * day)]
        #expect(rule.behindUntil(Array(shows.prefix(2)), now: t0.addingTimeInterval(81 * day)) == nil)
        #expect(rule.behindUntil(shows, now: t0.addingTimeInterval(81 * day)) == t0.addingTimeInterval(110 * day))
        #expect(rule.behindUntil(shows, now: t0.addingTimeInterval(111 * day)) == nil)
        // Three no-shows spread over more than 90 days do not count.
        let spread = [t0, t0.addingTimeInterval(50 * day), t0.addingTimeInterval(100 * day)]
        #expect(rule.behindUntil(spread, now: t0.addingTimeInterval(101 * day)) == nil)
    }
}
