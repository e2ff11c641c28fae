import Benchmark
import Foundation
import LinliCore

/// A residents CSV like a real community's: `rows` lines, Chinese headers.
func residentsCSV(rows: Int) -> String {
    var lines = ["姓名,手机号,楼栋,房号,关系,出生年份,入住日期,老人,独居,儿童"]
    for i in 0..<rows {
        lines.append(
            "居民\(i),139\(String(format: "%08d", i)),\(i % 6 + 1)栋,\(i % 20 + 1)0\(i % 4 + 1),业主,\(1940 + i % 60),2020-05-01,否,否,否"
        )
    }
    return lines.joined(separator: "\n")
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))

    let csv = residentsCSV(rows: 5_000)
    Benchmark("ResidentImport.parse 5,000 rows") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ResidentImport.parse(csv, currentYear: 2026))
        }
    }

    let community = UUID()
    var staff: [UUID: Set<StaffRole>] = [:]
    for _ in 0..<20 { staff[UUID()] = [.guard_] }
    staff[community] = [.operator_]
    let principal = Principal(personID: UUID(), staffRoles: staff, households: [UUID(): community])
    Benchmark("AccessPolicy.decide", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(AccessPolicy.decide(.manageRegistry(community), for: principal))
        }
    }

    Benchmark("ListOptions parse", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try? ListOptions(
                    page: "3", per: "50", sort: "-name", order: nil, query: " 王 ", sortable: ["name", "phone"],
                    defaultSort: "name"))
        }
    }
}
