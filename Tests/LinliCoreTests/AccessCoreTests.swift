import Foundation
import Testing

@testable import LinliCore

@Suite struct RotatingCodeTests {
    let secret = Array("a per-person secret of 32 bytes!".utf8)
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func changesEveryThirtySecondsAndToleratesOneWindow() {
        let now = RotatingCode.window(at: start)
        let code = RotatingCode.code(secret: secret, window: now)
        #expect(code.count == 8 && code.allSatisfy(\.isNumber))
        #expect(RotatingCode.code(secret: secret, window: now + 1) != code)
        #expect(RotatingCode.verify(code, secret: secret, now: start, lastUsed: nil) == .valid(window: now))
        #expect(
            RotatingCode.verify(code, secret: secret, now: start.addingTimeInterval(30), lastUsed: nil)
                == .valid(window: now))
        // A screenshot replayed minutes later is recognised as expired, not just invalid.
        #expect(
            RotatingCode.verify(code, secret: secret, now: start.addingTimeInterval(300), lastUsed: nil) == .expired)
        #expect(RotatingCode.verify(code, secret: secret, now: start, lastUsed: now) == .replayed)
        #expect(RotatingCode.verify("12345678", secret: secret, now: start, lastUsed: nil) == .invalid)
        #expect(RotatingCode.verify(code, secret: Array("another".utf8), now: start, lastUsed: nil) == .invalid)
    }

    @Test func payloadRoundTrips() {
        let payload = RotatingCode.payload(handle: "p7Kx", secret: secret, at: start)
        #expect(RotatingCode.parse(payload)?.handle == "p7Kx")
        #expect(RotatingCode.parse("L1:p7Kx:1234") == nil)
        #expect(RotatingCode.parse("L2:p7Kx:12345678") == nil)
    }

    @Test func masksNames() {
        #expect(MaskedName.of("王建明") == "王*明")
        #expect(MaskedName.of("王明") == "王*")
        #expect(MaskedName.of("欧阳娜娜") == "欧**娜")
        #expect(MaskedName.of("") == "*")
    }
}

@Suite struct GateRulesTests {
    let community = UUID()
    let building = UUID()
    let other = UUID()
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func decide(_ visitor: Visitor, _ gate: GateFacts, day: String = "2026-09-21", minute: Int = 600) -> GateReason {
        GateRules.decide(visitor, at: gate, now: now, day: day, minute: minute).reason
    }

    @Test func residentsTheirBuildingsAndMoveOut() {
        let home = Residence(community: community, building: building, movedIn: "2020-01-01", movedOut: nil)
        let main = GateFacts(community: community, kind: .main)
        let door = GateFacts(community: community, kind: .building, building: building)
        let otherDoor = GateFacts(community: community, kind: .building, building: other)
        #expect(decide(.person(residences: [home], shifts: [:], denied: false), main) == .resident)
        #expect(decide(.person(residences: [home], shifts: [:], denied: false), door) == .resident)
        #expect(decide(.person(residences: [home], shifts: [:], denied: false), otherDoor) == .otherBuilding)
        #expect(decide(.person(residences: [home], shifts: [:], denied: true), main) == .denyList)
        let left = Residence(community: community, building: building, movedIn: "2020-01-01", movedOut: "2026-09-21")
        #expect(decide(.person(residences: [left], shifts: [:], denied: false), main, day: "2026-09-20") == .resident)
        #expect(decide(.person(residences: [left], shifts: [:], denied: false), main, day: "2026-09-21") == .movedOut)
        #expect(decide(.person(residences: [], shifts: [:], denied: false), main) == .notResident)
    }

    @Test func staffOnShiftIncludingNightShifts() {
        let main = GateFacts(community: community, kind: .main)
        let night = Shift(start: 22 * 60, end: 6 * 60)
        let guardOnNights = Visitor.person(residences: [], shifts: [community: [night]], denied: false)
        #expect(decide(guardOnNights, main, minute: 23 * 60) == .staff)
        #expect(decide(guardOnNights, main, minute: 5 * 60) == .staff)
        #expect(decide(guardOnNights, main, minute: 12 * 60) == .offShift)
    }

    @Test func visitorPasses() {
        let door = GateFacts(community: community, kind: .building, building: building)
        func pass(used: Int = 0, revoked: Bool = false, from: Double = -3600, until: Double = 3600, to: UUID? = nil)
            -> Visitor
        {
            .pass(
                PassFacts(
                    community: community, building: to ?? building, validFrom: now.addingTimeInterval(from),
                    validUntil: now.addingTimeInterval(until), entriesAllowed: 2, entriesUsed: used, revoked: revoked))
        }
        #expect(decide(pass(), door) == .visitor)
        #expect(decide(pass(used: 2), door) == .passUsedUp)
        #expect(decide(pass(revoked: true), door) == .passRevoked)
        #expect(decide(pass(from: 60), door) == .passNotYetValid)
        #expect(decide(pass(until: -1), door) == .passExpired)
        #expect(decide(pass(to: other), door) == .otherBuilding)
    }
}
