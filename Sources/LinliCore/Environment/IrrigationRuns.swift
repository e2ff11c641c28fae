import Foundation

/// Why a planned run did not water.
public enum IrrigationSkip: String, Codable, Sendable, CaseIterable {
    /// A staff hold (手动停用) is on.
    case manualOff = "manual_off"
    /// A run by hand is going on in the zone.
    case manualRun = "manual_run"
    /// The valve has not been heard from within its report interval: a command would go nowhere.
    case valveOffline = "valve_offline"
    /// Staff set a rain delay that has not ended.
    case rainDelay = "rain_delay"
    /// The station's last 24 h of rain reached the zone's threshold.
    case rain
    /// The soil is at or above the zone's target moisture.
    case soil
    /// The weather scale is 0 %.
    case scaleZero = "scale_zero"
}

/// Why a run's valve was closed.
public enum IrrigationStop: String, Codable, Sendable, CaseIterable {
    /// The soil reached the zone's target moisture during the run.
    case target
    /// The planned watering is done.
    case timeUp = "time_up"
    /// The valve was open as long as its safety maximum allows.
    case maxRun = "max_run"
    /// Staff stopped it (or put the zone on hold).
    case manual
    /// The valve did not confirm that it opened.
    case noConfirm = "no_confirm"
}

/// The decisions of an irrigation run, free of storage: whether a planned start waters, and when an
/// open valve must close.
public enum IrrigationRules {
    /// What is known when a planned start comes.
    public struct Conditions: Sendable, Equatable {
        public var heldOff: Bool
        public var manualRunning: Bool
        public var valveOnline: Bool
        public var rainDelayed: Bool
        /// Rain of the last 24 h (mm); nil without a station reading.
        public var rainMm24h: Double?
        public var rainThresholdMm: Double
        public var soil: SoilGate.Verdict
        public var scale: Int

        public init(
            heldOff: Bool = false, manualRunning: Bool = false, valveOnline: Bool = true, rainDelayed: Bool = false,
            rainMm24h: Double? = nil, rainThresholdMm: Double = 5, soil: SoilGate.Verdict, scale: Int
        ) {
            self.heldOff = heldOff
            self.manualRunning = manualRunning
            self.valveOnline = valveOnline
            self.rainDelayed = rainDelayed
            self.rainMm24h = rainMm24h
            self.rainThresholdMm = rainThresholdMm
            self.soil = soil
            self.scale = scale
        }
    }

    /// The reason a planned start is skipped, in the order staff would look for it; nil: water.
    public static func skip(_ c: Conditions) -> IrrigationSkip? {
        if c.heldOff { return .manualOff }
        if c.manualRunning { return .manualRun }
        if c.valveOnline == false { return .valveOffline }
        if c.rainDelayed { return .rainDelay }
        if let rain = c.rainMm24h, rain >= c.rainThresholdMm { return .rain }
        if c.soil.wetEnough { return .soil }
        if c.scale <= 0 { return .scaleZero }
        return nil
    }

    /// Whether an open stretch must end now, and why: the soil's target first, then the safety maximum
    /// (which a planned stretch never exceeds, so reaching it means something else went wrong), then
    /// the planned time. `openFor` and `planned` in seconds.
    public static func stop(openFor: Int, planned: Int, maxRunSeconds: Int, soilWetEnough: Bool) -> IrrigationStop? {
        if soilWetEnough { return .target }
        guard openFor >= min(planned, maxRunSeconds) else { return nil }
        return planned > maxRunSeconds ? .maxRun : .timeUp
    }

    /// A day's station readings as the scale's weather: mean temperature and humidity, rain summed.
    /// Any of them without readings is nil (the scale then says 100 and why).
    public static func weather(temperatures: [Double], humidities: [Double], rains: [Double]) -> WateringScale.Weather {
        func mean(_ xs: [Double]) -> Double? {
            let finite = xs.filter(\.isFinite)
            return finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
        }
        let rain = rains.filter(\.isFinite)
        return WateringScale.Weather(
            temperatureC: mean(temperatures), humidityPct: mean(humidities),
            rainMm: rain.isEmpty ? nil : rain.reduce(0, +))
    }

    /// Litres of an open stretch: the valve's mean flow while open (L/min) when it reported one, else
    /// the zone's estimate.
    public static func litres(openSeconds: Int, meanFlow: Double?, estimate: Double) -> Double {
        let rate = meanFlow.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? estimate
        return (Double(openSeconds) / 60 * rate * 10).rounded() / 10
    }
}
