import Foundation

/// The daily routine of an elderly person living alone, the same on every machine for a seed: up
/// between 06:00 and 08:00, a sign of life (the door, motion, water) every 5–90 minutes by day, now and
/// then one at night, to bed between 21:00 and 23:00; on about one day in five out for a few hours (the
/// market, the clinic), on about one night in twelve away (out by the gate late in the morning, back the
/// next day); and on about one day in `gapEvery` silent from some time of the day on — a fall, an
/// illness — until the next morning. ``CareReplay`` replays it against the watch; the simulator's home
/// devices report it (``VirtualDevice/init(type:seed:routine:)``).
public struct HomeRoutine: Sendable, Equatable {
    public struct Day: Sendable, Equatable {
        /// Minutes after this day's midnight.
        public var wake: Int
        public var sleep: Int
        /// Out by the gate, from and until (minutes after this day's midnight; a night away ends after 1440).
        public var outings: [ClosedRange<Int>]
        /// When the person goes silent, if they do this day.
        public var gap: Int?
        /// Minutes of the signs of life, in order.
        public var signs: [Int]
    }

    public enum Moment: Sendable, Equatable {
        case asleep, home, out
        /// Injected silence: at home, no sign of life.
        case silent
    }

    public let seed: UInt64
    /// One day in this many (on average) has a gap; 0: never.
    public let gapEvery: Int

    public init(seed: UInt64, gapEvery: Int = 0) {
        self.seed = seed
        self.gapEvery = max(0, gapEvery)
    }

    private func random(_ index: Int) -> SeededRandom {
        SeededRandom(seed: seed &* 0x9E37_79B9 &+ UInt64(bitPattern: Int64(index)) &* 0x1_0000_01B3)
    }

    /// Waking, sleeping and going out as drawn, before a gap changes the day.
    private func drawn(_ index: Int) -> (wake: Int, sleep: Int, outings: [ClosedRange<Int>], rng: SeededRandom) {
        var rng = random(index)
        let wake = 360 + rng.next(120)
        let sleep = 1260 + rng.next(120)
        var outings: [ClosedRange<Int>] = []
        if rng.next(12) == 0 {
            let leave = 600 + rng.next(240)
            outings.append(leave...(leave + (18 + rng.next(12)) * 60))
        } else if rng.next(5) == 0 {
            let out = 540 + rng.next(300)
            outings.append(out...(out + 60 + rng.next(240)))
        }
        return (wake, sleep, outings, rng)
    }

    /// The day as lived but for its signs: a gap (never while out), and no going out after it.
    private func planned(_ index: Int) -> (
        wake: Int, sleep: Int, outings: [ClosedRange<Int>], gap: Int?, rng: SeededRandom
    ) {
        let drawn = self.drawn(index)
        let (wake, sleep) = (drawn.wake, drawn.sleep)
        var (outings, rng) = (drawn.outings, drawn.rng)
        // The night away that began the day before, as drawn (a gap that day cancels it: see `awayBefore`).
        let before = self.drawn(index - 1).outings.first.map { $0.upperBound - 1440 }.flatMap { $0 > 0 ? $0 : nil }
        var gap: Int?
        if gapEvery > 0, rng.next(gapEvery) == 0 {
            let at = wake + rng.next(max(1, sleep - wake))
            // At home when it happens (out, the gate would see them come back).
            if !outings.contains(where: { $0.contains(at) }) && !(before.map { at <= $0 } ?? false) {
                gap = at
                outings.removeAll { $0.lowerBound > at }
            }
        }
        return (wake, sleep, outings, gap, rng)
    }

    /// Day `index` (counted from any fixed midnight): the same for the same seed and index.
    public func day(_ index: Int) -> Day {
        let plan = planned(index)
        let (wake, sleep, outings, gap) = (plan.wake, plan.sleep, plan.outings, plan.gap)
        var rng = plan.rng
        let awayBefore = self.awayBefore(index)
        func away(_ minute: Int) -> Bool {
            outings.contains { $0.contains(minute) } || awayBefore.map { minute <= $0 } ?? false
        }
        var signs: [Int] = []
        var minute = wake
        while minute < sleep {
            if let gap, minute >= gap { break }
            if !away(minute) { signs.append(minute) }
            minute += 5 + rng.next(85)
        }
        // Up at night, now and then — not in the silence that went on from the day before.
        let night = 120 + rng.next(180)
        if rng.chance(0.5), !away(night), planned(index - 1).gap == nil { signs.append(night) }
        return Day(wake: wake, sleep: sleep, outings: outings, gap: gap, signs: signs.sorted())
    }

    /// Until when (minutes after day `index`'s midnight) the night away that began the day before lasts.
    func awayBefore(_ index: Int) -> Int? {
        let before = planned(index - 1)
        guard let night = before.outings.first, night.upperBound > 1440 else { return nil }
        return night.upperBound - 1440
    }

    /// What the person is doing at `minute` of day `index`.
    public func moment(day index: Int, minute: Int) -> Moment {
        let day = self.day(index)
        if let back = awayBefore(index), minute <= back { return .out }
        if day.outings.contains(where: { $0.contains(minute) }) { return .out }
        if let gap = day.gap, minute >= gap { return .silent }
        // A gap goes on through the night until the next morning.
        if minute < day.wake, planned(index - 1).gap != nil { return .silent }
        return minute >= day.wake && minute < day.sleep ? .home : .asleep
    }

    /// Whether a sign of life falls in the minutes `(from, to]` of day `index` (a step of a device).
    public func signs(day index: Int, from: Int, to: Int) -> Int {
        day(index).signs.filter { $0 > from && $0 <= to }.count
    }

    /// Day index and minute of `date`, counting days from the Unix epoch's midnight in China time.
    public static func position(_ ms: Int64) -> (day: Int, minute: Int) {
        let local = ms / 1000 + 8 * 3600
        let day = Int(local.floorDiv(86_400))
        return (day, Int((local - Int64(day) * 86_400) / 60))
    }
}

extension Int64 {
    fileprivate func floorDiv(_ d: Int64) -> Int64 { self >= 0 ? self / d : -((-self + d - 1) / d) }
}
