import Foundation
import Testing

@testable import LinliCore

/// The household alarm panel, table by table: Home Assistant's manual alarm panel scenarios, then each
/// CP-01 rule, each with a moved clock.
@Suite struct AlarmPanelTests {
    enum Step {
        case arm(AlarmPanel.Mode, open: [String] = [], force: Bool = false)
        case wait(Int)
        case trip(String, AlarmPanel.SensorClass)
        case disarm(AlarmPanel.Code)
    }

    struct Run {
        var panel = AlarmPanel()
        var now = Date(timeIntervalSince1970: 1_790_000_000)
        var effects: [AlarmPanel.Effect] = []
        var refusals: [AlarmPanel.Refusal] = []
        var states: [AlarmPanel.State] = []
    }

    /// Plays the steps; `wait` moves the clock a second at a time and runs `advance` when it is due, as the
    /// server's job does.
    func play(_ steps: [Step], _ settings: AlarmPanel.Settings = .init()) -> Run {
        var run = Run()
        for step in steps {
            switch step {
            case .arm(let mode, let open, let force):
                do { try run.panel.arm(mode, open: open, force: force, settings: settings, now: run.now) } catch {
                    run.refusals.append(error)
                }
            case .wait(let seconds):
                for _ in 0..<seconds {
                    run.now.addTimeInterval(1)
                    if let due = run.panel.nextDue, due <= run.now {
                        run.effects += run.panel.advance(to: run.now, settings: settings)
                    }
                }
            case .trip(let id, let kind):
                run.effects += run.panel.sensor(id, kind, settings: settings, now: run.now)
            case .disarm(let code):
                run.effects += run.panel.disarm(code, settings: settings, now: run.now)
            }
            run.states.append(run.panel.state)
        }
        return run
    }

    /// The effects by name, for tables.
    func names(_ effects: [AlarmPanel.Effect]) -> [String] {
        effects.map {
            switch $0 {
            case .report(let i): "report(\(i.sensor)\(i.confirmed ? "" : ",unconfirmed"))"
            case .confirmed(let i): "confirmed(\(i.sensor))"
            case .cancelled(let i): "cancelled(\(i.sensor))"
            case .disarmedAfterReport(let i): "disarmedAfterReport(\(i.sensor))"
            case .hazard(let s): "hazard(\(s))"
            case .duress: "duress"
            case .fellBackToHome: "fellBackToHome"
            case .shutDown(let s): "shutDown(\(s))"
            }
        }
    }

    /// Home Assistant's manual alarm panel tests (`tests/components/manual/test_alarm_control_panel.py`),
    /// as this panel answers them.
    @Test func homeAssistantsManualPanelScenarios() {
        let instant = AlarmPanel.Settings(exitDelay: 0, entryDelay: 0, abortWindow: 0)
        let rows: [(String, AlarmPanel.Settings, [Step], AlarmPanel.State, [String])] = [
            ("arm home, no delay", instant, [.arm(.armedHome)], .armedHome, []),
            ("arm away, no delay", instant, [.arm(.armedAway)], .armedAway, []),
            ("arm night, no delay", instant, [.arm(.armedNight)], .armedNight, []),
            ("arm vacation, no delay", instant, [.arm(.armedVacation)], .armedVacation, []),
            ("arm with delay: arming, then armed", .init(exitDelay: 10), [.arm(.armedNight), .wait(9)], .arming, []),
            ("… armed once the delay ends", .init(exitDelay: 10), [.arm(.armedNight), .wait(10)], .armedNight, []),
            ("wrong code does not disarm", instant, [.arm(.armedHome), .disarm(.wrong)], .armedHome, []),
            ("trigger, no delay: triggered and reported", instant,
             [.arm(.armedAway), .trip("window", .perimeter)], .triggered, ["report(window)"]),
            ("trigger with entry delay: pending", .init(exitDelay: 0, entryDelay: 5),
             [.arm(.armedAway), .trip("door", .entry), .wait(4)], .pending, []),
            ("… triggered when it ends", .init(exitDelay: 0, entryDelay: 5, abortWindow: 0),
             [.arm(.armedAway), .trip("door", .entry), .wait(5)], .triggered, ["report(door)"]),
            ("disarm during the entry delay: nothing", .init(exitDelay: 0, entryDelay: 5),
             [.arm(.armedAway), .trip("door", .entry), .wait(3), .disarm(.valid), .wait(10)], .disarmed, []),
            ("trigger during arming (a window): triggered", .init(exitDelay: 10, abortWindow: 0),
             [.arm(.armedAway), .wait(2), .trip("window", .perimeter)], .triggered, ["report(window)"]),
            ("disarm after trigger", instant,
             [.arm(.armedAway), .trip("window", .perimeter), .disarm(.valid)], .disarmed,
             ["report(window)", "disarmedAfterReport(window)"]),
            ("a disarmed panel ignores intrusion sensors", instant,
             [.trip("door", .entry), .trip("hall", .interior), .trip("window", .perimeter)], .disarmed, []),
            ("arming twice is refused", instant, [.arm(.armedHome), .arm(.armedAway)], .armedHome, []),
        ]
        for (name, settings, steps, state, effects) in rows {
            let run = play(steps, settings)
            #expect(run.panel.state == state, "\(name): \(run.states)")
            #expect(names(run.effects) == effects, "\(name)")
        }
        #expect(play([.arm(.armedHome), .arm(.armedAway)], instant).refusals == [.notDisarmed])
    }

    @Test func sensorClassesByMode() {
        let s = AlarmPanel.Settings(exitDelay: 0, entryDelay: 20, abortWindow: 0)
        // Interior: ignored at home and at night, an intrusion away and on vacation.
        for (mode, effects) in [
            (AlarmPanel.Mode.armedHome, [String]()), (.armedNight, []), (.armedAway, ["report(hall)"]),
            (.armedVacation, ["report(hall)"]),
        ] {
            #expect(names(play([.arm(mode), .trip("hall", .interior)], s).effects) == effects, "\(mode)")
        }
        // Away, the interior follows the entry door during its delay (the resident walks to the keypad).
        let walkIn = play([.arm(.armedAway), .trip("door", .entry), .wait(2), .trip("hall", .interior), .wait(10)], s)
        #expect(walkIn.panel.state == .pending && walkIn.effects.isEmpty)
        // A hazard in every state, the state unchanged.
        for steps in [[Step](), [.arm(.armedAway)], [.arm(.armedHome), .trip("door", .entry)]] {
            let run = play(steps + [.trip("smoke", .always)], s)
            #expect(names(run.effects) == ["hazard(smoke)"])
            #expect(run.panel.state == play(steps, s).panel.state)
        }
    }

    @Test func openSensorsAtArming() {
        let s = AlarmPanel.Settings(exitDelay: 0, abortWindow: 0)
        let refused = play([.arm(.armedAway, open: ["window-b", "window-a"])], s)
        #expect(refused.refusals == [.openSensors(["window-a", "window-b"])] && refused.panel.state == .disarmed)
        // Forced: bypassed for this arming only, and said so.
        let forced = play([.arm(.armedAway, open: ["window-a"], force: true), .trip("window-a", .perimeter)], s)
        #expect(forced.panel.state == .armedAway && forced.panel.bypassed == ["window-a"] && forced.effects.isEmpty)
        let next = play(
            [.arm(.armedAway, open: ["window-a"], force: true), .disarm(.valid), .arm(.armedAway),
             .trip("window-a", .perimeter)], s)
        #expect(names(next.effects) == ["report(window-a)"])
    }

    /// SIA CP-01, rule by rule.
    @Test func falseAlarmRules() {
        // Exit delay restarts once if the entry door re-opens during it.
        let s = AlarmPanel.Settings(exitDelay: 60, entryDelay: 30, abortWindow: 30)
        let restarted = play([.arm(.armedAway), .wait(10), .trip("door", .entry), .wait(40), .trip("door", .entry), .wait(59)], s)
        #expect(restarted.panel.state == .arming)
        #expect(play([.arm(.armedAway), .wait(10), .trip("door", .entry), .wait(40), .trip("door", .entry), .wait(60)], s)
            .panel.state == .armedAway)
        let thirdOpening = play(
            [.arm(.armedAway), .trip("door", .entry), .wait(40), .trip("door", .entry), .wait(40),
             .trip("door", .entry), .wait(20)], s)
        #expect(thirdOpening.panel.state == .armedAway, "only one restart")
        // Away with nobody leaving by the entry door: home.
        let stayed = play([.arm(.armedAway), .wait(60)], s)
        #expect(stayed.panel.state == .armedHome && stayed.panel.mode == .armedHome)
        #expect(names(stayed.effects) == ["fellBackToHome"])
        // Abort window: disarmed in it, cancelled and never reported; after it, reported.
        let aborted = play([.arm(.armedAway), .trip("door", .entry), .wait(60), .trip("window", .perimeter), .wait(29), .disarm(.valid)], s)
        #expect(names(aborted.effects) == ["cancelled(window)"] && aborted.panel.state == .disarmed)
        let reported = play([.arm(.armedAway), .trip("door", .entry), .wait(60), .trip("window", .perimeter), .wait(30)], s)
        #expect(names(reported.effects) == ["report(window)"])
        // Entry delay then abort window: the door reaches the guards 30 + 30 s after it opened.
        let entered = play([.arm(.armedAway), .trip("door", .entry), .wait(60), .trip("door", .entry), .wait(59)], s)
        #expect(entered.panel.state == .triggered && entered.effects.isEmpty)
        #expect(names(play([.arm(.armedAway), .trip("door", .entry), .wait(60), .trip("door", .entry), .wait(60)], s).effects)
            == ["report(door)"])
        // Swinger shutdown: a third trip in one arming shuts the sensor down, reported; the next arming
        // counts afresh.
        let i = AlarmPanel.Settings(exitDelay: 0, entryDelay: 0, abortWindow: 0)
        let swinger = play(
            [.arm(.armedAway), .trip("window", .perimeter), .disarm(.valid), .arm(.armedAway)]
                + [.trip("window", .perimeter), .trip("window", .perimeter), .trip("window", .perimeter),
                   .trip("window", .perimeter)], i)
        #expect(names(swinger.effects) == [
            "report(window)", "disarmedAfterReport(window)", "report(window)", "shutDown(window)",
        ], "two trips, then shut down; the fourth is ignored")
        #expect(swinger.panel.shutDown == ["window"])
        // Cross-zoning: one interior sensor is unconfirmed; a second, different one within 60 s confirms.
        let x = AlarmPanel.Settings(exitDelay: 0, entryDelay: 0, abortWindow: 0, crossZoning: true)
        let one = play([.arm(.armedAway), .trip("hall", .interior), .wait(30), .trip("hall", .interior)], x)
        #expect(names(one.effects) == ["report(hall,unconfirmed)"] && one.panel.intrusion?.confirmed == false)
        let two = play([.arm(.armedAway), .trip("hall", .interior), .wait(30), .trip("bedroom", .interior)], x)
        #expect(names(two.effects) == ["report(hall,unconfirmed)", "confirmed(hall)"])
        let late = play([.arm(.armedAway), .trip("hall", .interior), .wait(61), .trip("bedroom", .interior)], x)
        #expect(late.panel.intrusion?.confirmed == false)
        // Duress: disarms as usual and raises a silent alarm.
        let duress = play([.arm(.armedAway), .trip("door", .entry), .wait(60), .trip("door", .entry), .wait(5), .disarm(.duress)], s)
        #expect(duress.panel.state == .disarmed && names(duress.effects) == ["duress"])
        // Three wrong codes in a row during the entry delay trigger at once; a right one resets the count.
        let guessing = play(
            [.arm(.armedAway), .trip("door", .entry), .wait(60), .trip("door", .entry), .disarm(.wrong), .disarm(.wrong),
             .disarm(.wrong)], s)
        #expect(guessing.panel.state == .triggered && guessing.panel.intrusion?.sensor == "door")
        let corrected = play([.arm(.armedHome), .disarm(.wrong), .disarm(.wrong), .disarm(.valid)], s)
        #expect(corrected.panel.wrongCodes == 0 && corrected.panel.state == .disarmed)
    }

    @Test func aPanelDueWhileTheServerWasDownCatchesUpInOneStep() throws {
        let s = AlarmPanel.Settings(exitDelay: 60, entryDelay: 30, abortWindow: 30)
        var panel = AlarmPanel()
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        try panel.arm(.armedAway, open: [], force: false, settings: s, now: t0)
        _ = panel.sensor("door", .entry, settings: s, now: t0.addingTimeInterval(5))
        #expect(panel.nextDue == t0.addingTimeInterval(60))
        #expect(panel.advance(to: t0.addingTimeInterval(60), settings: s).isEmpty && panel.state == .armedAway)
        _ = panel.sensor("door", .entry, settings: s, now: t0.addingTimeInterval(100))
        #expect(panel.nextDue == t0.addingTimeInterval(130))
        // Down from 100 s to 1,000 s: one advance triggers at the entry delay's end and reports.
        let effects = panel.advance(to: t0.addingTimeInterval(1_000), settings: s)
        #expect(names(effects) == ["report(door)"] && panel.intrusion?.at == t0.addingTimeInterval(130))
        #expect(panel.nextDue == nil)
        // Stored and read back as it was.
        let copy = try JSONDecoder().decode(AlarmPanel.self, from: JSONEncoder().encode(panel))
        #expect(copy == panel)
        #expect(AlarmPanel.Settings(exitDelay: 256, entryDelay: -1).problems == ["exitDelay", "entryDelay"])
    }
}
