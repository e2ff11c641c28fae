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

    @Test func aPassSaysWhyItOpensNoGateOneRuleForGatesAndPages() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        func pass(from: Double = -60, until: Double = 3600, used: Int = 0, revoked: Bool = false) -> PassFacts {
            PassFacts(
                community: UUID(), building: nil, validFrom: now + from, validUntil: now + until, entriesAllowed: 2,
                entriesUsed: used, revoked: revoked)
        }
        #expect(pass().refusal(at: now) == nil)
        #expect(pass(from: 60).refusal(at: now) == .passNotYetValid)
        #expect(pass(until: 0).refusal(at: now) == .passExpired)
        #expect(pass(used: 2).refusal(at: now) == .passUsedUp)
        #expect(pass(until: 0, used: 2, revoked: true).refusal(at: now) == .passRevoked)
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

@Suite struct QRCodeTests {
    /// Module grids made by the Python `qrcode` library (byte mode, level M, fixed mask) for the same text.
    static let references: [(String, Int, String)] = [
        (
            "HELLO", 0,
            "111111100111001111111|100000101011001000001|101110100010001011101|101110100011001011101|101110101010101011101|100000100110101000001|111111101010101111111|000000000101100000000|101010100101000010010|101010000110001000010|000001100110100011111|101011010110001000010|011001110110101010100|000000001011010100110|111111100001011100111|100000100011110110000|101110101011011100111|101110100100001100110|101110101010100010101|100000100110001010010|111111101010101100111"
        ),
        (
            "L1:p7KxQ2mZ8aBc:01234567", 3,
            "1111111010100010001111111|1000001010100010001000001|1011101001011110101011101|1011101011011101101011101|1011101000101001001011101|1000001001110000101000001|1111111010101010101111111|0000000010111011000000000|1011011100001001001001011|0000010101100010000101110|1000011011110110101000110|0001000101000111110101110|1001111001100101011110101|0100110010010001100010001|0100001011001110101000100|1010100011101000000001001|0000111110010110111111101|0000000011001110100011100|1111111010011011101010111|1000001010001001100011010|1011101001110000111110101|1011101010101010001101111|1011101011111100001111110|1000001001111100001101100|1111111010000100001010111"
        ),
        (
            "P1:abcdefghijklmnopqrstuvwx", 5,
            "11111110010101110100001111111|10000010101110010000101000001|10111010100100101011001011101|10111010111110110100001011101|10111010000011110001101011101|10000010000101101000001000001|11111110101010101010101111111|00000000110101000001000000000|10000010100100110100111001110|11100101001000100001000110100|00111110111000000100111111000|11010101100100111010001001001|01000110000001100001001101010|01111000111101100001101110011|00010010011001111100011010110|01111001000001101000110001111|11001011011100110100100000110|10011001000100001101101110011|11110110011011101111000000011|10011000010110111011100111000|10011110100110001011111110110|00000000111101001110100011111|11111110001101111101101010000|10000010001001000111100011011|10111010011001011101111111010|10111010011111001010110001010|10111010000100100011111111010|10000010000000110000010001101|11111110100110001011000110100"
        ),
    ]

    @Test func matchesAnIndependentEncoderModuleForModule() throws {
        for (text, mask, expected) in Self.references {
            let code = try QRCode(text, mask: mask)
            let rows = code.modules.map { $0.map { $0 ? "1" : "0" }.joined() }.joined(separator: "|")
            #expect(rows == expected, "\(text)")
        }
    }

    @Test func choosesAMaskAndRendersSVG() throws {
        let code = try QRCode("L1:p7KxQ2mZ8aBc:01234567")
        #expect(code.version == 2 && (0..<8).contains(code.mask))
        let svg = code.svg(title: "我的通行码")
        #expect(svg.hasPrefix("<svg") && svg.contains("<title>我的通行码</title>"))
        #expect(throws: QRCode.Failure.tooLong) { try QRCode(String(repeating: "x", count: 43)) }
    }
}

@Suite struct DecideInputTests {
    func parse(_ text: String) throws(DecideInput.Problem) -> DecideInput {
        var bytes = Array(text.utf8)
        bytes.append(0)  // not part of the text: the parser must stop at the count it is given
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DecideInput.Problem) in
                try DecideInput.parse(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 1)]))
            }
        }
        return try result.get()
    }

    func problem(_ text: String) -> DecideInput.Problem? {
        do {
            _ = try parse(text)
            return nil
        } catch { return error }
    }

    @Test func readsTheRequestAndItsNumbersExactly() throws {
        let values: [Double] = [0.1, -0.25, 1e-5, 3.4028234e38, 123456789.125, -0.0, 0.30000000000000004, 7e-310]
        let text =
            #"{ "gate" : "G", "method":"face", "vector":["#
            + values.map { "\($0)" }.joined(separator: " ,") + #"], "model":"m\u00e9\n\"x\"\ud83d\ude00","#
            + #""liveness":0.97,"eventId":"e-1","ts":1790000000123,"extra":{"a":[true,false,null,{"b":1}]},"credential":null}"#
        let input = try parse(text)
        #expect(input.gate == "G" && input.method == "face" && input.eventId == "e-1")
        #expect(input.vector == values.map { Float($0) })
        #expect(input.model == "mé\n\"x\"😀")
        #expect(input.liveness == 0.97 && input.ts == 1_790_000_000_123 && input.credential == nil)
        // Every number JSONDecoder would read, read to the same Double.
        for number in [
            "0", "-0", "1E3", "2.5e-3", "123456789012345678901234567890", "0.000001234567890123456789",
            "9007199254740993", "1e-400", "4.9e-324",
        ] {
            let input = try parse(#"{"gate":"g","method":"face","eventId":"e","liveness":\#(number)}"#)
            #expect(input.liveness == Double(number), "\(number)")
        }
    }

    @Test func namesTheFieldOfAProblem() {
        #expect(problem(#"{"gate":"g","method":"face""#) == .init(field: "", reason: "malformed_json"))
        #expect(problem(#"{"gate":"g","method":"face","eventId":"e"} x"#) == .init(field: "", reason: "malformed_json"))
        #expect(problem(#"{"gate":"g","method":"face","eventId":"e","vector":[1,"2"]}"#)?.field == "vector")
        #expect(
            problem(#"{"gate":"g","method":"face","eventId":"e","vector":{}}"#)
                == .init(field: "vector", reason: "wrong_type"))
        #expect(
            problem(#"{"gate":"g","method":"face","eventId":"e","ts":1.5}"#) == .init(field: "ts", reason: "wrong_type")
        )
        #expect(problem(#"{"gate":"g","method":7,"eventId":"e"}"#) == .init(field: "method", reason: "wrong_type"))
        #expect(problem(#"{"gate":"g","method":"face"}"#) == .init(field: "eventId", reason: "missing_field"))
        #expect(problem(#"{"gate":"g","method":"face","eventId":"e","vector":[1.]}"#)?.reason == "malformed_json")
        #expect(problem(#"{"gate":"g","method":"face","eventId":"e","vector":[01]}"#)?.reason == "malformed_json")
        #expect(problem("{\"gate\":\"a\u{01}\",\"method\":\"face\",\"eventId\":\"e\"}")?.reason == "malformed_json")
        #expect(problem("[]") == .init(field: "", reason: "wrong_type"))
        #expect(problem("") == .init(field: "", reason: "malformed_json"))
        #expect(problem(#"{"gate":"g","#) == .init(field: "", reason: "malformed_json"))
        #expect(problem(#"{"gate":"g",7:1}"#) == .init(field: "", reason: "malformed_json"))
    }
}

@Suite struct ShiftTextTests {
    @Test func readsAndWritesHours() {
        #expect(Shift(text: "08:00-20:00") == Shift(start: 480, end: 1200))
        #expect(Shift(text: "22:00-6:30") == Shift(start: 1320, end: 390))
        #expect(Shift(text: "00:00-24:00") == .allDay)
        #expect(Shift(text: "22:00-06:00")?.text == "22:00-06:00")
        for bad in ["", "8-20", "08:00", "25:00-26:00", "08:60-09:00", "08:00-08:00", "24:30-01:00", "a:bc-d:ef"] {
            #expect(Shift(text: bad) == nil, "\(bad)")
        }
    }
}
