import Foundation
import LinliCore

enum BillingSchemas {
    static let items = Schema.enumeration(BillItem.allCases.map(\.rawValue))
    static let tariffInput = Schema.object(
        [
            ("item", items), ("effectiveFrom", Schema.date),
            ("tierLimits", Schema.array(Schema.integer(min: 1, max: 1_000_000_000_000))),
            ("prices", Schema.array(Schema.integer(min: 0, max: 100_000_000))),
        ], required: ["item", "effectiveFrom", "prices"])
    static let issueInput = Schema.object(
        [("period", Schema.string(pattern: "^[0-9]{4}-[0-9]{2}$"))], required: ["period"])
    static let deskPayment = Schema.object(
        [
            ("amountFen", Schema.integer(min: 1, max: 100_000_000)),
            ("channel", Schema.enumeration(BillPayment.Channel.allCases.filter(\.atTheDesk).map(\.rawValue))),
            ("requestKey", Schema.string(min: 1, max: 64)),
        ], required: ["amountFen", "channel", "requestKey"])
    static let walletPayment = Schema.object(
        [("amountFen", Schema.integer(min: 1, max: 100_000_000)), ("requestKey", Schema.string(min: 1, max: 64))],
        required: ["requestKey"])
    static let line = Schema.object(
        [
            ("item", items), ("versionID", Schema.uuid), ("tier", Schema.integer(min: 1)),
            ("quantityMilli", Schema.integer(min: 0)), ("price", Schema.integer(min: 0)), ("amountFen", Schema.integer(min: 0)),
        ], required: ["item", "versionID", "tier", "quantityMilli", "price", "amountFen"])
    static let bill = Schema.object(
        [
            ("id", Schema.uuid), ("householdID", Schema.uuid), ("period", Schema.string()),
            ("totalFen", Schema.integer(min: 0)), ("paidFen", Schema.integer(min: 0)),
            ("status", Schema.enumeration(Bill.Status.allCases.map(\.rawValue))), ("dueOn", Schema.date),
            ("lines", Schema.array(line)),
        ], required: ["id", "householdID", "period", "totalFen", "paidFen", "status", "dueOn", "lines"])
    static let prepaidInput = Schema.object(
        [
            ("enabled", Schema.bool), ("lowBalanceFen", Schema.integer(min: 0, max: 1_000_000)),
            ("graceHours", Schema.integer(min: 1, max: 336)),
        ], required: [])
    static let topUp = Schema.object(
        [("amountFen", Schema.integer(min: 100, max: 500_000)), ("requestKey", Schema.string(min: 1, max: 64))],
        required: ["amountFen", "requestKey"])
    static var all: [(String, JSONValue)] {
        [
            (
                "Prepaid",
                Schema.object(
                    [
                        ("householdID", Schema.uuid), ("enabled", Schema.bool), ("balanceFen", Schema.integer(min: 0)),
                        ("debtFen", Schema.integer(min: 0)), ("lowBalanceFen", Schema.integer(min: 0)),
                        ("graceHours", Schema.integer(min: 1)),
                        ("state", Schema.enumeration(["ok", "low", "grace", "cut", "protected"])),
                        ("graceUntil", Schema.nullable(Schema.dateTime)),
                    ], required: ["householdID", "enabled", "balanceFen", "debtFen", "lowBalanceFen", "graceHours", "state"])
            ),
            (
                "Tariff",
                Schema.object(
                    [
                        ("id", Schema.uuid), ("item", items), ("effectiveFrom", Schema.date),
                        ("tierLimits", Schema.array(Schema.integer())), ("prices", Schema.array(Schema.integer())),
                    ], required: ["id", "item", "effectiveFrom", "tierLimits", "prices"])
            ),
            ("Bill", bill),
            (
                "Arrears",
                Schema.object(
                    [
                        ("householdID", Schema.uuid), ("building", Schema.string()), ("room", Schema.string()),
                        ("owedFen", Schema.integer(min: 0)), ("notDueFen", Schema.integer(min: 0)),
                        ("days1To30Fen", Schema.integer(min: 0)), ("days31To90Fen", Schema.integer(min: 0)),
                        ("over90Fen", Schema.integer(min: 0)), ("oldestDueOn", Schema.date), ("bills", Schema.integer(min: 1)),
                    ],
                    required: [
                        "householdID", "building", "room", "owedFen", "notDueFen", "days1To30Fen", "days31To90Fen",
                        "over90Fen", "oldestDueOn", "bills",
                    ])
            ),
            (
                "DeskPayment",
                Schema.object(
                    [("receiptNo", Schema.string()), ("amountFen", Schema.integer(min: 1)), ("bill", bill)],
                    required: ["receiptNo", "amountFen", "bill"])
            ),
        ]
    }
}
