import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct IrrigationTests {
    @Test func theScalePreviewAnswersWhatThisWeatherWouldDo() async throws {
        try await withLinli { h in
            let path = h.community + "/irrigation/scale-preview"
            let staff = try await h.token("property")
            let hot = try await h.send(.POST, path, token: staff, raw: #"{"temperatureC":30,"humidityPct":50,"rainMm":0}"#)
            #expect(hot.status == .ok, "\(hot.text)")
            let read = try hot.content.decode(WateringScaleRead.self)
            #expect(read.scale == 144 && read.factors.temperature == 64 && read.factors.humidity == -20 && !read.missingData)
            let weighted = try await h.send(
                .POST, path, token: staff,
                raw: #"{"temperatureC":40,"humidityPct":40,"rainMm":25.4,"weights":{"rain":50}}"#)
            #expect(try weighted.content.decode(WateringScaleRead.self).scale == 126)
            // No humidity: 100, and it says why.
            let missing = try await h.send(.POST, path, token: staff, raw: #"{"temperatureC":30,"rainMm":0}"#)
            let fallback = try missing.content.decode(WateringScaleRead.self)
            #expect(fallback.scale == 100 && fallback.missingData && fallback.factors.temperature == nil)
            for body in [
                #"{"temperatureC":300}"#, #"{"humidityPct":-1}"#, #"{"rainMm":-2}"#, #"{"weights":{"rain":500}}"#,
                #"{"temperatureC":"hot"}"#, "[]",
            ] {
                let bad = try await h.send(.POST, path, token: staff, raw: body)
                #expect((400..<500).contains(bad.status.code) && bad.problem != nil, "\(body): \(bad.status)")
            }
            // A resident, a guard and another community's operator may not ask.
            for who in ["owner", "guard"] {
                #expect(try await h.send(.POST, path, token: try await h.token(who), raw: "{}").status == .forbidden)
            }
            let foreign = try await h.send(.POST, path, token: try await h.token("operatorB"), raw: "{}")
            #expect(foreign.status == .notFound)
        }
    }
}
