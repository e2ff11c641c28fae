/// Reads a residents CSV (Chinese or English headers) into rows ready to store,
/// or the list of every bad row with its line number and reason.
///
/// Checks here need no database: required fields, phone format, dates, flags,
/// a phone repeated in the file. The server adds the checks that need one
/// (the building and room exist, the phone is not someone else's).
public enum ResidentImport {
    /// A column the importer knows, with the headers it accepts for it.
    public enum Column: String, CaseIterable, Sendable {
        case name, phone, building, room, relation
        case birthYear = "birth_year"
        case movedIn = "moved_in"
        case elderly
        case livesAlone = "lives_alone"
        case child

        public var aliases: [String] {
            switch self {
            case .name: ["name", "姓名", "名字"]
            case .phone: ["phone", "手机", "手机号", "手机号码", "电话"]
            case .building: ["building", "楼栋", "楼号", "楼"]
            case .room: ["room", "房号", "房间号", "门牌号"]
            case .relation: ["relation", "关系", "身份", "住户类型"]
            case .birthYear: ["birth_year", "birthyear", "出生年份", "出生年"]
            case .movedIn: ["moved_in", "入住日期", "入住时间"]
            case .elderly: ["elderly", "老人", "老年人"]
            case .livesAlone: ["lives_alone", "独居"]
            case .child: ["child", "儿童", "未成年"]
            }
        }

        static let required: [Column] = [.name, .phone, .building, .room, .relation]

        init?(header: String) {
            let key = header.trimmingSpaces.lowercased()
            guard let column = Column.allCases.first(where: { $0.aliases.contains(key) }) else {
                return nil
            }
            self = column
        }
    }

    /// One resident to store.
    public struct Row: Sendable, Equatable {
        public let line: Int
        public let name: String
        public let phone: PhoneNumber
        public let building: String
        public let room: String
        public let relation: HouseholdRelation
        public let birthYear: Int?
        public let movedIn: CivilDate?
        public let isElderly: Bool
        public let livesAlone: Bool
        public let isChild: Bool
    }

    /// What is wrong with a line (line 1 is the header).
    public struct Issue: Sendable, Equatable {
        public let line: Int
        public let column: String?
        public let reason: Reason
        public let value: String?

        public init(line: Int, column: String?, reason: Reason, value: String? = nil) {
            self.line = line
            self.column = column
            self.reason = reason
            self.value = value
        }
    }

    /// Stable reason codes; the server localises them.
    public enum Reason: String, Sendable, Equatable {
        case notCSV = "not_csv"
        case emptyFile = "empty_file"
        case missingColumn = "missing_column"
        case duplicateColumn = "duplicate_column"
        case unknownColumn = "unknown_column"
        case wrongFieldCount = "wrong_field_count"
        case missingValue = "missing_value"
        case invalidPhone = "invalid_phone"
        case duplicatePhoneInFile = "duplicate_phone_in_file"
        case invalidRelation = "invalid_relation"
        case invalidBirthYear = "invalid_birth_year"
        case invalidDate = "invalid_date"
        case invalidFlag = "invalid_flag"
        case nameTooLong = "name_too_long"
        case unknownHousehold = "unknown_household"
        case phoneBelongsToOther = "phone_belongs_to_other"
        case alreadyMember = "already_member"
        case tooManyRows = "too_many_rows"
    }

    public static let maxRows = 20_000

    /// Parses the whole file; returns every row, or every issue (never a partial result).
    public static func parse(_ text: String, currentYear: Int) -> Result<[Row], IssueList> {
        let table: CSVTable
        do throws(CSVTable.ParseError) {
            table = try CSVTable(parsing: text)
        } catch {
            switch error {
            case .empty:
                return .failure(IssueList([Issue(line: 1, column: nil, reason: .emptyFile)]))
            case .unterminatedQuote(let line):
                return .failure(IssueList([Issue(line: line, column: nil, reason: .notCSV)]))
            }
        }
        var issues: [Issue] = []
        var columns: [Column: Int] = [:]
        for (index, header) in table.header.enumerated() {
            guard let column = Column(header: header) else {
                issues.append(Issue(line: 1, column: header, reason: .unknownColumn))
                continue
            }
            if columns[column] != nil {
                issues.append(Issue(line: 1, column: header, reason: .duplicateColumn))
            }
            columns[column] = index
        }
        for column in Column.required where columns[column] == nil {
            issues.append(Issue(line: 1, column: column.rawValue, reason: .missingColumn))
        }
        guard issues.isEmpty else { return .failure(IssueList(issues)) }
        guard table.records.count <= maxRows else {
            return .failure(IssueList([Issue(line: 1, column: nil, reason: .tooManyRows)]))
        }
        var rows: [Row] = []
        var seenPhones: [PhoneNumber: Int] = [:]
        for record in table.records {
            guard record.fields.count == table.header.count else {
                issues.append(Issue(line: record.line, column: nil, reason: .wrongFieldCount))
                continue
            }
            var reader = FieldReader(record: record, columns: columns, currentYear: currentYear)
            guard let row = reader.row() else {
                issues += reader.issues
                continue
            }
            if let first = seenPhones[row.phone] {
                issues.append(
                    Issue(line: row.line, column: "phone", reason: .duplicatePhoneInFile, value: "\(first)"))
                continue
            }
            seenPhones[row.phone] = row.line
            rows.append(row)
        }
        return issues.isEmpty ? .success(rows) : .failure(IssueList(issues))
    }
}

/// Issues, as an `Error` so they can travel in a `Result`.
public struct IssueList: Error, Sendable, Equatable {
    public let issues: [ResidentImport.Issue]
    public init(_ issues: [ResidentImport.Issue]) { self.issues = issues }
}

private struct FieldReader {
    let record: CSVTable.Record
    let columns: [ResidentImport.Column: Int]
    let currentYear: Int
    var issues: [ResidentImport.Issue] = []

    init(record: CSVTable.Record, columns: [ResidentImport.Column: Int], currentYear: Int) {
        self.record = record
        self.columns = columns
        self.currentYear = currentYear
    }

    func value(_ column: ResidentImport.Column) -> String? {
        guard let index = columns[column] else { return nil }
        let text = record.fields[index].trimmingSpaces
        return text.isEmpty ? nil : text
    }

    mutating func fail(_ column: ResidentImport.Column, _ reason: ResidentImport.Reason, _ value: String? = nil) {
        issues.append(.init(line: record.line, column: column.rawValue, reason: reason, value: value))
    }

    mutating func required(_ column: ResidentImport.Column) -> String? {
        guard let text = value(column) else {
            fail(column, .missingValue)
            return nil
        }
        return text
    }

    mutating func flag(_ column: ResidentImport.Column) -> Bool {
        guard let text = value(column)?.lowercased() else { return false }
        switch text {
        case "是", "y", "yes", "true", "1", "√": return true
        case "否", "n", "no", "false", "0": return false
        default:
            fail(column, .invalidFlag, text)
            return false
        }
    }

    mutating func row() -> ResidentImport.Row? {
        let name = required(.name)
        if let name, name.count > 50 { fail(.name, .nameTooLong) }
        let phoneText = required(.phone)
        let phone = phoneText.flatMap(PhoneNumber.init)
        if let phoneText, phone == nil { fail(.phone, .invalidPhone, phoneText) }
        let building = required(.building)
        let room = required(.room)
        var relation: HouseholdRelation?
        if let text = required(.relation) {
            relation = Self.relation(text)
            if relation == nil { fail(.relation, .invalidRelation, text) }
        }
        var birthYear: Int?
        if let text = value(.birthYear) {
            birthYear = Int(text)
            if birthYear.map({ !(1900...currentYear).contains($0) }) ?? true {
                fail(.birthYear, .invalidBirthYear, text)
            }
        }
        var movedIn: CivilDate?
        if let text = value(.movedIn) {
            movedIn = CivilDate(text)
            if movedIn == nil { fail(.movedIn, .invalidDate, text) }
        }
        let elderly = flag(.elderly)
        let livesAlone = flag(.livesAlone)
        let child = flag(.child)
        guard issues.isEmpty, let name, let phone, let building, let room, let relation else {
            return nil
        }
        return .init(
            line: record.line, name: name, phone: phone, building: building, room: room,
            relation: relation, birthYear: birthYear, movedIn: movedIn, isElderly: elderly,
            livesAlone: livesAlone, isChild: child)
    }

    static func relation(_ text: String) -> HouseholdRelation? {
        switch text.lowercased() {
        case "业主", "户主", "owner": .owner
        case "租户", "租客", "tenant": .tenant
        case "家属", "家庭成员", "家人", "family", "family member": .family
        default: nil
        }
    }
}
