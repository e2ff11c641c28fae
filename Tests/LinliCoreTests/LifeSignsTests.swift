import Foundation
import Testing

@testable import LinliCore

@Suite struct LifeSignsTests {
    func r(_ key: String, _ value: ReadingValue) -> Reading { Reading(key: key, ts: 0, value: value) }

    final class Watcher {
        var signs = LifeSigns()
        func sign(_ device: UUID, _ type: String, _ readings: [Reading]) -> Bool {
            signs.isSign(device: device, type: type, readings)
        }
    }

    @Test func whatCountsAsSomeoneLivingThere() {
        let signs = Watcher()
        let d = UUID()
        #expect(signs.sign(d, "door_contact", [r("open", .bool(true))]))
        #expect(!signs.sign(d, "door_contact", [r("open", .bool(false))]))
        #expect(signs.sign(d, "motion", [r("motion", .bool(true))]))
        #expect(!signs.sign(d, "motion", [r("motion", .bool(false)), r("battery", .number(80))]))
        #expect(signs.sign(d, "door_lock", [r("unlock_method", .text("pin"))]))
        #expect(!signs.sign(d, "door_lock", [r("locked", .bool(true))]))
        #expect(signs.sign(d, "tv_box", [r("power_on", .bool(true))]))
        #expect(signs.sign(d, "electricity_meter", [r("power", .number(1800))]))
        #expect(!signs.sign(d, "electricity_meter", [r("power", .number(120))]), "the fridge")
        #expect(!signs.sign(d, "smoke", [r("smoke", .bool(true))]), "an alarm, not a sign")
    }

    /// 深圳龙岗's rule: under 0.01 m³ of water is no use; the first reading only sets the mark.
    @Test func aMeterCountsWhenItsTotalRoseByTheStep() {
        let signs = Watcher()
        let meter = UUID()
        #expect(!signs.sign(meter, "water_meter", [r("water_total", .number(100.0))]))
        #expect(!signs.sign(meter, "water_meter", [r("water_total", .number(100.004))]))
        #expect(signs.sign(meter, "water_meter", [r("water_total", .number(100.02))]))
        #expect(!signs.sign(meter, "water_meter", [r("water_total", .number(100.02))]))
        #expect(!signs.sign(UUID(), "water_meter", [r("water_total", .number(500))]))
    }
}
