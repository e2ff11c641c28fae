import Foundation

/// A small deterministic random generator (SplitMix64): the demo seed and the simulator are the
/// same on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<upperBound`.
    public mutating func next(_ upperBound: Int) -> Int { Int(next() % UInt64(max(1, upperBound))) }

    /// Roughly normal noise (sum of uniforms), mean 0, standard deviation `sigma`.
    public mutating func noise(_ sigma: Double) -> Double {
        var sum = 0.0
        for _ in 0..<4 { sum += Double.random(in: -1...1, using: &self) }
        return sum * sigma * 0.866
    }

    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

/// A virtual device of one catalogue type whose readings behave like the real thing: meters add up,
/// sensors drift with noise, bins fill and are emptied, gates count more people at rush hours,
/// batteries drain. Pure: the simulator command drives it over HTTP.
public struct VirtualDevice: Sendable {
    public let type: String
    private var rng: SeededRandom
    private var level: Double
    private var total: Double
    private var battery: Double
    private var flag = false
    /// The routine of the person living there, for a home's door, motion, water, lock and TV box.
    private let routine: HomeRoutine?

    public init(type: String, seed: UInt64, routine: HomeRoutine? = nil) {
        self.type = type
        self.routine = routine
        rng = SeededRandom(seed: seed)
        level = Double.random(in: 25...60, using: &rng)
        total = Double.random(in: 100...5000, using: &rng)
        battery = Double.random(in: 35...100, using: &rng)
    }

    /// Carries a meter on from the total it last reported (a simulator restarted over stored history):
    /// a register never runs backwards.
    public mutating func resume(total: Double) {
        guard total.isFinite, total >= 0 else { return }
        self.total = total
    }

    /// Hour of day (0–24) in China time.
    static func hour(_ ms: Int64) -> Double {
        let seconds = Double((ms / 1000 + 8 * 3600) % 86_400)
        return seconds / 3600
    }

    /// Readings for the moment `ms`, `seconds` after the previous step.
    public mutating func step(at ms: Int64, seconds: Double) -> [String: JSON] {
        let hour = Self.hour(ms)
        let daylight = max(0, sin((hour - 6) / 12 * .pi))
        let busy = exp(-pow(hour - 8, 2) / 2) + exp(-pow(hour - 18, 2) / 2) + 0.15
        battery = max(0, battery - seconds * 0.000_01 * Double.random(in: 0.5...1.5, using: &rng))
        var values: [String: JSON] = [:]
        func number(_ key: String, _ value: Double, _ digits: Double = 100) {
            values[key] = .number((value * digits).rounded() / digits)
        }
        if let routine {
            let lived = lived(routine, at: ms, seconds: seconds)
            switch type {
            case "door_contact": values["open"] = .bool(lived.passages > 0 || (lived.signs > 0 && rng.chance(0.3)))
            case "motion": values["motion"] = .bool(lived.signs > 0)
            case "water_meter":
                for _ in 0..<lived.signs where rng.chance(0.6) { total += Double.random(in: 0.003...0.02, using: &rng) }
                number("water_total", total, 1000)
                values["leak"] = .bool(false)
            case "door_lock":
                values["locked"] = .bool(lived.passages == 0)
                values["door_open"] = .bool(lived.passages > 0)
                if lived.passages > 0 { values["unlock_method"] = .string("fingerprint") }
            case "tv_box": values["power_on"] = .bool(lived.moment == .home && hour > 8 && hour < 21.5 && rng.chance(0.5))
            default: break
            }
            if !values.isEmpty {
                if rng.chance(0.2) { number("battery", battery, 10) }
                return values
            }
        }
        switch type {
        case "soil_sensor":
            level = flag ? min(60, level + seconds / 60 * 1.5) : max(3, level - seconds / 60 * (0.02 + 0.08 * daylight))
            if level >= 55 { flag = false }
            number("soil_moisture", max(0, min(100, level + rng.noise(0.4))), 10)
            number("soil_temperature", 14 + 10 * daylight + rng.noise(0.3), 10)
        case "weather_station":
            number("temperature", 16 + 10 * daylight + rng.noise(0.4), 10)
            number("humidity", max(20, min(100, 75 - 25 * daylight + rng.noise(3))), 10)
            number("rain", rng.chance(seconds / 86_400 * 3) ? Double.random(in: 0.2...4, using: &rng) : 0, 10)
            number("wind_speed", max(0, 2 + 2 * daylight + rng.noise(1)), 10)
        case "irrigation_valve":
            values["valve_open"] = .bool(flag)
            number("flow", flag ? 18 + rng.noise(0.8) : 0, 10)
        case "water_meter":
            let flow = (0.02 + 0.25 * busy) * Double.random(in: 0...1, using: &rng)  // m³/h
            total += flow * seconds / 3600
            number("water_total", total, 1000)
            values["leak"] = .bool(false)
        case "electricity_meter":
            let power = 150 + 2200 * busy * Double.random(in: 0.3...1, using: &rng)
            total += power * seconds / 3_600_000
            number("energy_total", total, 1000)
            number("power", power, 1)
            number("voltage", 220 + rng.noise(2), 10)
        case "bin_level":
            level += seconds / 3600 * (2 + 6 * busy) * Double.random(in: 0.5...1.5, using: &rng)
            if level >= 98 || rng.chance(seconds / 86_400) { level = Double.random(in: 0...5, using: &rng) }
            number("fill_level", min(100, level), 10)
            number("temperature", 16 + 8 * daylight + rng.noise(0.5), 10)
        case "recycling_bin":
            if rng.chance(min(1, seconds / 600 * busy)) { total += Double.random(in: 0.2...6, using: &rng) }
            if total > 400 { total = 0 }
            number("weight", total.truncatingRemainder(dividingBy: 400), 100)
            number("fill_level", min(100, total / 4), 10)
            values["category"] = .string(
                ["paper", "plastic", "metal", "glass", "textile"][Int.random(in: 0..<5, using: &rng)])
        case "face_gate", "access_reader":
            let expected = seconds / 60 * 6 * busy
            number("passages", max(0, (expected + rng.noise(sqrt(max(expected, 0.1)))).rounded()), 1)
            values["door_open"] = .bool(rng.chance(0.05))
            if type == "access_reader" { values["tamper"] = .bool(false) }
        case "door_lock":
            if rng.chance(0.02) { flag.toggle() }
            values["locked"] = .bool(!flag)
            values["door_open"] = .bool(flag && rng.chance(0.5))
        case "door_contact": values["open"] = .bool(rng.chance(0.03 * busy))
        case "motion": values["motion"] = .bool(rng.chance(0.2 * busy))
        case "smoke":
            values["smoke"] = .bool(false)
            number("temperature", 20 + 4 * daylight + rng.noise(0.3), 10)
        case "gas":
            number("gas_lel", max(0, 0.5 + rng.noise(0.3)), 10)
            values["gas_alarm"] = .bool(false)
        case "water_leak": values["leak"] = .bool(false)
        case "emergency_button":
            values["pressed"] = .bool(false)
            values["service"] = .bool(false)
            values["fine"] = .bool(false)
        case "alarm_keypad": values["tamper"] = .bool(false)
        case "tv_box":
            values["power_on"] = .bool(hour > 7 && hour < 22 && rng.chance(0.6))
            values["app"] = .string(["live_tv", "linli", "weather"][Int.random(in: 0..<3, using: &rng)])
        case "kiosk":
            values["session_active"] = .bool(rng.chance(0.3 * busy))
            level = level < 5 ? 100 : level - seconds / 3600 * 0.5
            number("paper_level", level, 10)
        default:
            number("co2", 420 + 300 * busy + rng.noise(15), 1)
            number("humidity", 55 + rng.noise(3), 10)
        }
        if rng.chance(0.2) {
            number("battery", battery, 10)
            number("rssi", -70 + rng.noise(6), 1)
        }
        return values
    }

    /// The routine's signs of life and passes through the front door in the step's minutes, and what the
    /// person is doing at its end (a night away returns the next day, counted there).
    private func lived(_ routine: HomeRoutine, at ms: Int64, seconds: Double)
        -> (signs: Int, passages: Int, moment: HomeRoutine.Moment)
    {
        let end = HomeRoutine.position(ms)
        let start = HomeRoutine.position(ms - Int64(max(0, seconds) * 1000))
        var spans: [(day: Int, from: Int, to: Int)] = []
        if start.day == end.day {
            spans.append((end.day, start.minute, end.minute))
        } else {
            spans.append((start.day, start.minute, 1440))
            for day in (start.day + 1)..<end.day { spans.append((day, -1, 1440)) }
            spans.append((end.day, -1, end.minute))
        }
        var signs = 0
        var passages = 0
        for span in spans.suffix(3) {
            let day = routine.day(span.day)
            signs += day.signs.filter { $0 > span.from && $0 <= span.to }.count
            let marks = day.outings.flatMap { [$0.lowerBound, $0.upperBound] }
                + (routine.awayBefore(span.day).map { [$0] } ?? [])
            passages += marks.filter { $0 > span.from && $0 <= span.to }.count
        }
        return (signs, passages, routine.moment(day: end.day, minute: end.minute))
    }

    /// What the device does on a command; the reply for two-way commands.
    public mutating func apply(_ method: String) -> JSON {
        switch method {
        case "open_valve", "unlock": flag = true
        case "close_valve", "lock": flag = false
        default: break
        }
        return .object(["ok": .bool(true), "method": .string(method)])
    }

    /// Starts a soil sensor's watering (the valve of its zone opened).
    public mutating func water() { if type == "soil_sensor" { flag = true } }
}
