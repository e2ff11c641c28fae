import Foundation
import Testing

@testable import LinliCore

@Suite struct HomeRoutineTests {
    @Test func theSameSeedLivesTheSameDays() {
        let a = HomeRoutine(seed: 302, gapEvery: 3)
        let b = HomeRoutine(seed: 302, gapEvery: 3)
        for day in 0..<60 { #expect(a.day(day) == b.day(day)) }
        #expect((0..<60).contains { a.day($0) != HomeRoutine(seed: 303, gapEvery: 3).day($0) })
    }

    @Test func signsOnlyWhileAwakeAtHomeAndNoneInAGap() {
        let routine = HomeRoutine(seed: 7, gapEvery: 4)
        var gaps = 0
        for index in 0..<200 {
            let day = routine.day(index)
            #expect((360..<480).contains(day.wake) && (1260..<1380).contains(day.sleep))
            for minute in day.signs {
                let moment = routine.moment(day: index, minute: minute)
                // By day at home, or now and then up at night — never out, never in the silence.
                #expect(moment == .home || moment == .asleep, "day \(index) minute \(minute): \(moment)")
            }
            if let gap = day.gap {
                gaps += 1
                #expect(day.signs.allSatisfy { $0 < gap })
                #expect(routine.moment(day: index, minute: gap) == .silent)
                #expect(routine.moment(day: index + 1, minute: 60) == .silent, "the silence goes on into the night")
                #expect(!day.outings.contains { $0.contains(gap) })
            }
        }
        #expect((30...70).contains(gaps), "about one day in four: \(gaps)")
        #expect(HomeRoutine(seed: 7).day(3).gap == nil)
    }

    @Test func theHomesDevicesReportTheRoutine() {
        let routine = HomeRoutine(seed: 11)
        var motion = VirtualDevice(type: "motion", seed: 1, routine: routine)
        var water = VirtualDevice(type: "water_meter", seed: 2, routine: routine)
        // A day in steps of 30 s, from China's midnight of day 20 000.
        let start = Int64(20_000 * 86_400 - 8 * 3600) * 1000
        var seen = 0
        var lastTotal = 0.0
        for step in 1...(2 * 60 * 24) {
            let ms = start + Int64(step) * 30_000
            let position = HomeRoutine.position(ms)
            #expect(position.day == 20_000 || step == 2 * 60 * 24)
            let values = motion.step(at: ms, seconds: 30)
            if values["motion"] == .bool(true) {
                seen += 1
                #expect(routine.signs(day: position.day, from: position.minute - 1, to: position.minute) > 0)
            }
            if case .number(let total)? = water.step(at: ms, seconds: 30)["water_total"] {
                #expect(total >= lastTotal)
                if total > lastTotal && lastTotal > 0 {
                    #expect(routine.signs(day: position.day, from: position.minute - 1, to: position.minute) > 0)
                }
                lastTotal = total
            }
        }
        #expect(seen == routine.day(20_000).signs.count)
    }
}
