import Foundation
import Testing

@testable import LinliCore

@Suite struct WorkOrderRulesTests {
    func next(_ status: WorkStatus, _ action: WorkAction, _ actor: WorkActor, assigned: Bool = true) -> String {
        switch WorkOrderRules.next(status, action, by: actor, hasAssignee: assigned) {
        case .success(let to): to.rawValue
        case .failure(let refusal): refusal.rawValue
        }
    }

    @Test func stepsAndWhoMayTakeThem() {
        #expect(next(.submitted, .accept, .assignee) == "accepted")
        #expect(next(.submitted, .accept, .resident) == "not_allowed")
        #expect(next(.accepted, .depart, .assignee) == "on_the_way")
        #expect(next(.submitted, .depart, .assignee) == "wrong_status")
        #expect(next(.onTheWay, .complete, .assignee) == "done")
        #expect(next(.accepted, .complete, .dispatcher) == "done")
        #expect(next(.done, .confirm, .resident) == "confirmed")
        #expect(next(.done, .confirm, .assignee) == "not_allowed")
        #expect(next(.done, .confirm, .system) == "confirmed")
        #expect(next(.done, .reopen, .resident) == "accepted")
        #expect(next(.confirmed, .reopen, .resident, assigned: false) == "submitted")
        #expect(next(.onTheWay, .cancel, .resident) == "wrong_status")
        #expect(next(.submitted, .cancel, .resident) == "cancelled")
        #expect(next(.cancelled, .accept, .dispatcher) == "wrong_status")
    }

    @Test func deadlinesAndLateness() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let (respond, complete) = WorkOrderRules.deadlines(.repairLift, from: start)
        #expect(respond.timeIntervalSince(start) == 15 * 60 && complete.timeIntervalSince(start) == 120 * 60)
        #expect(WorkOrderRules.overdue(.submitted, respondBy: respond, completeBy: complete, now: start) == nil)
        let later = start.addingTimeInterval(16 * 60)
        #expect(WorkOrderRules.overdue(.submitted, respondBy: respond, completeBy: complete, now: later) == .response)
        #expect(WorkOrderRules.overdue(.accepted, respondBy: respond, completeBy: complete, now: later) == nil)
        let late = start.addingTimeInterval(121 * 60)
        #expect(WorkOrderRules.overdue(.onTheWay, respondBy: respond, completeBy: complete, now: late) == .completion)
        #expect(WorkOrderRules.overdue(.done, respondBy: respond, completeBy: complete, now: late) == nil)
        for category in WorkCategory.allCases { #expect(category.responseMinutes < category.completionMinutes) }
    }

    @Test func assignsSpecialistsOnDutyLeastLoadedFirst() {
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let b = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!
        let c = UUID(uuidString: "00000000-0000-0000-0000-00000000000C")!
        let day = Shift(start: 8 * 60, end: 20 * 60)
        let staff = [
            WorkOrderRules.Candidate(id: a, skills: ["water"], shifts: [day], openOrders: 2),
            WorkOrderRules.Candidate(id: b, skills: ["water", "electricity"], shifts: [], openOrders: 1),
            WorkOrderRules.Candidate(id: c, skills: [], shifts: [], openOrders: 0),
        ]
        #expect(WorkOrderRules.assign(.repairWater, among: staff, minute: 9 * 60) == b)
        let busyB = [staff[0], WorkOrderRules.Candidate(id: b, skills: ["water"], shifts: [], openOrders: 3), staff[2]]
        #expect(WorkOrderRules.assign(.repairWater, among: busyB, minute: 9 * 60) == a)
        // At night the day-shift plumber is off; the other specialist still takes it.
        #expect(WorkOrderRules.assign(.repairWater, among: busyB, minute: 23 * 60) == b)
        // Nobody has the lift skill: the generalist.
        #expect(WorkOrderRules.assign(.repairLift, among: staff, minute: 9 * 60) == c)
        #expect(WorkOrderRules.assign(.repairLift, among: Array(staff.prefix(2)), minute: 9 * 60) == nil)
        // Equal load: the lowest id, every time.
        let tied = [
            WorkOrderRules.Candidate(id: b, skills: [], shifts: [], openOrders: 0),
            WorkOrderRules.Candidate(id: a, skills: [], shifts: [], openOrders: 0),
        ]
        #expect(WorkOrderRules.assign(.cleaning, among: tied, minute: 0) == a)
    }
}
