import Foundation
import Testing

@testable import LinliCore

@Suite struct PhoneNumberTests {
    @Test func normalisesCommonSpellings() {
        #expect(PhoneNumber("139 0000 0001")?.digits == "13900000001")
        #expect(PhoneNumber("+86 139-0000-0001")?.digits == "13900000001")
        #expect(PhoneNumber("8613900000001")?.digits == "13900000001")
        #expect(PhoneNumber("13900000001")?.masked == "139****0001")
    }

    @Test func rejectsWhatIsNotAMobileNumber() {
        for bad in ["", "12345", "1290000000", "12900000001", "1390000000a", "239000000011", "１３９００００００01"] {
            #expect(PhoneNumber(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct CSVTableTests {
    @Test func parsesQuotesNewlinesAndBOM() throws {
        let table = try CSVTable(parsing: "\u{FEFF}a,b\r\n\"x, y\",\"he said \"\"hi\"\"\"\n\"two\nlines\",z\n")
        #expect(table.header == ["a", "b"])
        #expect(table.records.map(\.fields) == [["x, y", "he said \"hi\""], ["two\nlines", "z"]])
        #expect(table.records.map(\.line) == [2, 3])
    }

    @Test func writesLinesThatReadBackAndNeverRunAsFormulas() throws {
        let fields = ["x, y", "he said \"hi\"", "two\nlines", "plain", "=HYPERLINK(\"http://evil\")", "+1", "-2", "@sum"]
        let line = CSVTable.line(fields)
        let back = try CSVTable(parsing: "h1,h2,h3,h4,h5,h6,h7,h8\n" + line + "\n").records[0].fields
        #expect(Array(back.prefix(4)) == Array(fields.prefix(4)))
        #expect(back.dropFirst(4).allSatisfy { $0.hasPrefix("'") })
        #expect(back[4] == "'=HYPERLINK(\"http://evil\")")
        #expect(CSVTable.field("") == "" && CSVTable.field("a") == "a")
    }

    @Test func reportsAnUnterminatedQuote() {
        #expect(throws: CSVTable.ParseError.unterminatedQuote(line: 2)) { try CSVTable(parsing: "a\n\"oops\n") }
        #expect(throws: CSVTable.ParseError.empty) { try CSVTable(parsing: "\n  \n") }
    }
}

@Suite struct ResidentImportTests {
    @Test func readsChineseHeaders() throws {
        let csv = "姓名,手机号,楼栋,房号,关系,出生年份,入住日期,老人,独居\n王建国,13912345678,1栋,101,业主,1950,2020-05-01,是,是\n"
        let rows = try ResidentImport.parse(csv, currentYear: 2026).get()
        #expect(rows.count == 1)
        #expect(rows[0].name == "王建国")
        #expect(rows[0].relation == .owner)
        #expect(rows[0].isElderly && rows[0].livesAlone && !rows[0].isChild)
        #expect(rows[0].movedIn == CivilDate(year: 2020, month: 5, day: 1))
    }

    @Test func reportsEveryBadRowWithItsLine() {
        let csv = """
            name,phone,building,room,relation,birth_year
            A,13900000011,1,101,owner,1980
            ,13900000012,1,102,owner,1980
            C,123,1,103,boss,3000
            D,13900000011,1,104,tenant,
            E,13900000015,1,105
            """
        guard case .failure(let list) = ResidentImport.parse(csv, currentYear: 2026) else {
            Issue.record("expected failure")
            return
        }
        let found = list.issues.map { "\($0.line):\($0.reason.rawValue)" }
        #expect(
            found == [
                "3:missing_value", "4:invalid_phone", "4:invalid_relation", "4:invalid_birth_year",
                "5:duplicate_phone_in_file", "6:wrong_field_count",
            ])
    }

    @Test func rejectsMissingColumns() {
        guard case .failure(let list) = ResidentImport.parse("姓名,楼栋\nA,1\n", currentYear: 2026) else {
            Issue.record("expected failure")
            return
        }
        #expect(Set(list.issues.compactMap(\.column)) == ["phone", "room", "relation"])
        #expect(list.issues.allSatisfy { $0.line == 1 && $0.reason == .missingColumn })
    }
}

@Suite struct AccessPolicyTests {
    let a = UUID(), b = UUID(), home = UUID(), otherHome = UUID(), me = UUID()

    @Test func residentSeesOnlyTheirHousehold() {
        let resident = Principal(personID: me, households: [home: a])
        #expect(AccessPolicy.decide(.viewHousehold(household: home, community: a), for: resident) == .allow)
        #expect(AccessPolicy.decide(.viewHousehold(household: otherHome, community: a), for: resident) == .hidden)
        #expect(AccessPolicy.decide(.viewRegistry(a), for: resident) == .forbidden)
        #expect(AccessPolicy.decide(.viewCommunity(b), for: resident) == .hidden)
        #expect(AccessPolicy.decide(.manageRegistry(a), for: resident) == .forbidden)
    }

    @Test func onlyAResidentActsForAHomeAndOnlyStaffOpenTheConsole() {
        let resident = Principal(personID: me, households: [home: a])
        let admin = Principal(personID: me, isAdmin: true)
        let guardian = Principal(personID: me, staffRoles: [a: [.guard_]])
        #expect(AccessPolicy.decide(.actForHousehold(home), for: resident) == .allow)
        #expect(AccessPolicy.decide(.actForHousehold(home), for: admin) == .hidden)
        #expect(AccessPolicy.decide(.actForHousehold(home), for: guardian) == .hidden)
        #expect(AccessPolicy.decide(.openConsole, for: resident) == .forbidden)
        #expect(AccessPolicy.decide(.openConsole, for: guardian) == .allow)
        #expect(AccessPolicy.decide(.openConsole, for: admin) == .allow)
    }

    @Test func staffReadTheirCommunityAndOperatorsWriteIt() {
        let guardian = Principal(personID: me, staffRoles: [a: [.guard_]])
        let op = Principal(personID: me, staffRoles: [a: [.operator_]])
        #expect(AccessPolicy.decide(.viewRegistry(a), for: guardian) == .allow)
        #expect(AccessPolicy.decide(.manageRegistry(a), for: guardian) == .forbidden)
        #expect(AccessPolicy.decide(.viewAudit(a), for: guardian) == .forbidden)
        #expect(AccessPolicy.decide(.manageRegistry(a), for: op) == .allow)
        #expect(AccessPolicy.decide(.manageRegistry(b), for: op) == .hidden)
        #expect(AccessPolicy.decide(.viewHousehold(household: otherHome, community: b), for: op) == .hidden)
        #expect(AccessPolicy.decide(.createCommunity, for: op) == .forbidden)
        #expect(AccessPolicy.decide(.createCommunity, for: Principal(personID: me, isAdmin: true)) == .allow)
    }
}

@Suite struct LoginThrottleTests {
    @Test func slowsThenLocksThenForgets() {
        let throttle = LoginThrottle()
        let start = Date(timeIntervalSince1970: 0)
        var state = LoginThrottle.State()
        for _ in 0..<2 { state = throttle.recordingFailure(state, now: start) }
        #expect(throttle.verdict(for: state, now: start) == .proceed(delay: 0))
        state = throttle.recordingFailure(state, now: start)
        #expect(throttle.verdict(for: state, now: start) == .proceed(delay: 1))
        for _ in 0..<2 { state = throttle.recordingFailure(state, now: start) }
        #expect(throttle.verdict(for: state, now: start) == .locked(until: start.addingTimeInterval(900)))
        #expect(throttle.verdict(for: state, now: start.addingTimeInterval(901)) == .proceed(delay: 0))
    }
}

@Suite struct ListOptionsTests {
    @Test func validatesEveryParameter() throws {
        let ok = try ListOptions(
            page: "2", per: "10", sort: "-name", order: nil, query: "  王 ", sortable: ["name"], defaultSort: "name")
        #expect(ok.offset == 10 && ok.descending && ok.query == "王")
        #expect(throws: ListOptions.Problem.invalidPage) {
            try ListOptions(
                page: "0", per: nil, sort: nil, order: nil, query: nil, sortable: ["name"], defaultSort: "name")
        }
        #expect(throws: ListOptions.Problem.invalidPer) {
            try ListOptions(
                page: nil, per: "101", sort: nil, order: nil, query: nil, sortable: ["name"], defaultSort: "name")
        }
        #expect(throws: ListOptions.Problem.unknownSort(allowed: ["name"])) {
            try ListOptions(
                page: nil, per: nil, sort: "phone", order: nil, query: nil, sortable: ["name"], defaultSort: "name")
        }
        #expect(throws: ListOptions.Problem.invalidOrder) {
            try ListOptions(
                page: nil, per: nil, sort: nil, order: "up", query: nil, sortable: ["name"], defaultSort: "name")
        }
    }

    @Test func civilDates() {
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("2023-02-29") == nil)
        #expect(CivilDate("2024/3/1")?.description == "2024-03-01")
        #expect(CivilDate("24-03-01") == nil)
    }
}
