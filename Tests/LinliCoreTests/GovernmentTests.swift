import Foundation
import Testing

@testable import LinliCore

/// The government services' clocks and the senior university's draw, without a database.
@Suite struct GovernmentTests {
    let calendar = WorkingCalendar.china2026
    func d(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test func everyHolidayAndEveryWorkedWeekendOf2026() {
        // (day, working?) around each holiday of the State Council's 2026 notice.
        let table: [(String, Bool)] = [
            ("2025-12-31", true), ("2026-01-01", false), ("2026-01-02", false), ("2026-01-03", false),
            ("2026-01-04", true), ("2026-01-05", true),
            ("2026-02-13", true), ("2026-02-14", true), ("2026-02-15", false), ("2026-02-16", false),
            ("2026-02-20", false), ("2026-02-21", false), ("2026-02-23", false), ("2026-02-24", true),
            ("2026-02-28", true), ("2026-03-01", false),
            ("2026-04-03", true), ("2026-04-04", false), ("2026-04-05", false), ("2026-04-06", false), ("2026-04-07", true),
            ("2026-04-30", true), ("2026-05-01", false), ("2026-05-04", false), ("2026-05-05", false),
            ("2026-05-06", true), ("2026-05-09", true), ("2026-05-10", false),
            ("2026-06-18", true), ("2026-06-19", false), ("2026-06-20", false), ("2026-06-22", true),
            ("2026-09-20", true), ("2026-09-24", true), ("2026-09-25", false), ("2026-09-27", false), ("2026-09-28", true),
            ("2026-09-30", true), ("2026-10-01", false), ("2026-10-05", false), ("2026-10-07", false),
            ("2026-10-08", true), ("2026-10-10", true), ("2026-10-11", false),
            ("2026-12-05", false), ("2026-12-07", true),
        ]
        for (day, working) in table { #expect(calendar.isWorkingDay(d(day)) == working, "\(day)") }
        // 261 weekdays, 19 of them holidays, 6 weekend days worked.
        let year = (d("2026-01-01").dayNumber...d("2026-12-31").dayNumber).filter { calendar.isWorkingDay(CivilDate(dayNumber: $0)!) }
        #expect(year.count == 248)
    }

    @Test func dueDaysCountFromTheDayAfterAndSkipDaysOff() {
        let cases: [(String, Int, String)] = [
            ("2026-09-24", 3, "2026-09-30"), ("2026-09-30", 3, "2026-10-10"), ("2026-02-13", 1, "2026-02-14"),
            ("2026-02-13", 2, "2026-02-24"), ("2026-01-05", 30, "2026-02-14"), ("2026-01-05", 45, "2026-03-13"),
            ("2026-12-31", 1, "2027-01-01"), ("2026-03-02", 0, "2026-03-02"),
        ]
        for (start, n, due) in cases { #expect(calendar.day(n, workingDaysAfter: d(start)) == d(due), "\(start) + \(n)") }
        #expect(calendar.workingDaysLeft(today: d("2026-09-24"), due: d("2026-09-30")) == 3)
        #expect(calendar.workingDaysLeft(today: d("2026-09-30"), due: d("2026-09-30")) == 0)
        #expect(calendar.workingDaysLeft(today: d("2026-10-08"), due: d("2026-09-30")) == -1)
        let clock = ApplicationClock(calendar: calendar)
        #expect(clock.decisionDue(acceptedOn: d("2026-01-05"), extended: false) == d("2026-02-14"))
        #expect(clock.decisionDue(acceptedOn: d("2026-01-05"), extended: true) == d("2026-03-13"))
        #expect(clock.refusalNoticeDue(decidedOn: d("2026-09-30")) == d("2026-10-10"))
        #expect(clock.publicityEnds(start: d("2026-09-28")) == d("2026-10-04"))
        #expect(clock.urgency(today: d("2026-09-24"), due: d("2026-09-30")) == .soon)
        #expect(clock.urgency(today: d("2026-09-23"), due: d("2026-09-30")) == .onTime)
        #expect(clock.urgency(today: d("2026-10-01"), due: d("2026-09-30")) == .overdue)
    }

    @Test func theOperatorsTableIsReadLineByLineAndRefusedWithTheLine() throws {
        let added = try WorkingCalendar.parse("# 2027 元旦\n2027-01-01 off\n\n2027-01-04..2027-01-05 off\n2027-01-09 worked\n")
        let merged = calendar.merging(added)
        #expect(!merged.isWorkingDay(d("2027-01-04")) && merged.isWorkingDay(d("2027-01-09")) && !merged.isWorkingDay(d("2026-10-01")))
        for (text, line) in [("2027-01-01 holiday", 1), ("\n2027-13-01 off", 2), ("2027-01-01..2027-03-01 off", 1), ("2027-01-05..2027-01-01 off", 1)] {
            #expect(throws: WorkingCalendar.LineError.self, "\(text)") { try WorkingCalendar.parse(text) }
            do { _ = try WorkingCalendar.parse(text) } catch let error as WorkingCalendar.LineError { #expect(error.line == line) }
        }
        #expect(throws: WorkingCalendar.LineError.self) { try WorkingCalendar.parse(String(repeating: "2027-01-01 off\n", count: 401)) }
    }

    @Test func dayNumbersAndWeekdaysAgreeWithFoundation() {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        for n in stride(from: -25_000, through: 40_000, by: 97) {
            let date = CivilDate(dayNumber: n)!
            let parts = gregorian.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(n) * 86_400))
            #expect(date.year == parts.year && date.month == parts.month && date.day == parts.day)
            #expect(date.weekday == (parts.weekday! + 5) % 7 + 1)
            #expect(date.dayNumber == n)
        }
    }

    @Test func theDrawIsTheOneAnyoneRecomputesFromTheSeed() {
        let seed = "3f1c0a9e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468"
        #expect(CourseDraw.seedHash(seed) == "d760a121e89dbf2826ad50d64078d185fe37202315d274b4d0334190c36ad47f")
        let weights: [Double] = [2, 1, 1.5, 1, 2, 1]
        let entries = (1...6).map { CourseDraw.Entry(applicationID: "0B1E6C1A-0000-4000-8000-00000000000\($0)", weight: weights[$0 - 1]) }
        let result = CourseDraw.draw(seed: seed, entries: entries, seats: 3)
        // The order and keys Python's hashlib and math.log give for the same seed.
        #expect(result.map { String($0.entry.applicationID.suffix(1)) } == ["2", "4", "6", "3", "1", "5"])
        #expect(abs(result[0].key - 0.017396) < 1e-6 && abs(result[5].key - 0.957178) < 1e-6)
        #expect(result.map(\.admitted) == [true, true, true, false, false, false])
        #expect(result.map(\.rank) == [1, 2, 3, 4, 5, 6])
        #expect(CourseDraw.weight(neverAdmitted: true, age: 80) == 2 && CourseDraw.weight(neverAdmitted: false, age: 75) == 1.5)
        #expect(CourseDraw.weight(neverAdmitted: false, age: 74) == 1 && CourseDraw.weight(neverAdmitted: false, age: nil) == 1)
        #expect(CourseDraw.newSeed().count == 64 && CourseDraw.newSeed() != CourseDraw.newSeed())
    }

    @Test func heavierWeightsWinMoreOftenInTheLongRun() {
        // 4,000 draws of two applicants for one seat: weight 2 against 1 wins 2/3 of the time.
        var wins = 0
        for n in 0..<4000 {
            let result = CourseDraw.draw(
                seed: "seed-\(n)", entries: [.init(applicationID: "A", weight: 2), .init(applicationID: "B", weight: 1)], seats: 1)
            if result[0].entry.applicationID == "A" { wins += 1 }
        }
        #expect((2550...2780).contains(wins), "\(wins)")
    }

    @Test(arguments: [
        ("2026-01-31", 1, "2026-02-28"), ("2024-01-31", 1, "2024-02-29"), ("2026-09-28", 6, "2027-03-28"),
        ("2026-12-15", 1, "2027-01-15"), ("2028-02-29", 12, "2029-02-28"), ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", -13, "2024-12-15"),
    ])
    func monthsLaterKeepTheDayOrTheMonthsLast(start: String, months: Int, expected: String) {
        #expect(CivilDate(start)!.adding(months: months)?.description == expected)
    }

    @Test func farOffDatesAreNilNotATrap() {
        let day = CivilDate("2026-06-01")!
        #expect(day.adding(months: Int.max) == nil && day.adding(months: Int.min) == nil && day.adding(months: 12_000) == nil)
        #expect(day.adding(days: Int.max) == nil && day.adding(days: Int.min) == nil && day.adding(days: -100_000) == nil)
    }

    @Test func documentsAreWhatTheirFirstBytesSay() {
        #expect(FileSignature.matches("application/pdf", Array("%PDF-1.4\n".utf8)))
        #expect(!FileSignature.matches("application/pdf", Array("<html>%PDF-".utf8)))
        #expect(FileSignature.matches("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0]) && !FileSignature.matches("image/png", [0xFF, 0xD8, 0xFF]))
        #expect(!FileSignature.matches("text/html", Array("%PDF-".utf8)) && !FileSignature.matches("application/pdf", []))
    }
}
