using Pmem.Simulation;
using Pmem.Testing.Exploration;
using Pmem.Testing.Recording;

namespace Pmem.Testing;

/// <summary>
/// Runs a scenario over simulated persistent memory, then checks every memory image a power failure could leave at
/// every crash point under a <see cref="PmemModel"/>.
/// </summary>
/// <example>
/// <code>
/// CrashSimulator.AssertCrashConsistent(PmemModel.Arm64,
///     scenario: pm => { var log = new Log(pm.Span); log.Append(42); pm.Acknowledge(42UL); },
///     check: image => Assert.Equal(image.Acknowledged.Cast&lt;ulong&gt;(), Log.Recover(image.Bytes)));
/// </code>
/// </example>
public static class CrashSimulator
{
    /// <summary>Records <paramref name="scenario"/>, then runs <paramref name="check"/> on every crash image (or a sample).</summary>
    /// <param name="model">The persistence model.</param>
    /// <param name="scenario">Code that stores through simulated primitives into <see cref="SimulatedPmem"/>.</param>
    /// <param name="check">Throws (for example an xunit assertion) if the image is not acceptable after a crash.</param>
    /// <param name="options">Region size, seed and sampling bounds; <see cref="CrashSimulationOptions.Default"/> when null.</param>
    /// <returns>Statistics and the first counterexample, if any.</returns>
    public static CrashExploration Explore(PmemModel model, Action<SimulatedPmem> scenario, Action<CrashImage> check, CrashSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(check);
        options ??= CrashSimulationOptions.Default;
        options.Validate();
        ScenarioRecording recording = Record(options, scenario);
        var explorer = new CrashExplorer(recording, model, options);
        foreach (CrashImage image in explorer.Images())
        {
            try
            {
                check(image);
            }
            catch (Exception failure)
            {
                explorer.ReportFailure(failure);
            }
        }

        return explorer.Result;
    }

    /// <summary>Records an asynchronous <paramref name="scenario"/>, then awaits <paramref name="check"/> on every crash image (or a sample).</summary>
    /// <param name="model">The persistence model.</param>
    /// <param name="scenario">Code that stores through simulated primitives into <see cref="SimulatedPmem"/>.</param>
    /// <param name="check">Throws if the image is not acceptable after a crash.</param>
    /// <param name="options">Region size, seed and sampling bounds; <see cref="CrashSimulationOptions.Default"/> when null.</param>
    /// <returns>Statistics and the first counterexample, if any.</returns>
    public static async Task<CrashExploration> ExploreAsync(PmemModel model, Func<SimulatedPmem, Task> scenario, Func<CrashImage, Task> check, CrashSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(check);
        options ??= CrashSimulationOptions.Default;
        options.Validate();
        ScenarioRecording recording = await RecordAsync(options, scenario).ConfigureAwait(false);
        var explorer = new CrashExplorer(recording, model, options);
        foreach (CrashImage image in explorer.Images())
        {
            try
            {
                await check(image).ConfigureAwait(false);
            }
            catch (Exception failure)
            {
                explorer.ReportFailure(failure);
            }
        }

        return explorer.Result;
    }

    /// <summary>Records an asynchronous <paramref name="scenario"/>, then runs a synchronous <paramref name="check"/> on every crash image.</summary>
    /// <param name="model">The persistence model.</param>
    /// <param name="scenario">Code that stores through simulated primitives into <see cref="SimulatedPmem"/>.</param>
    /// <param name="check">Throws if the image is not acceptable after a crash.</param>
    /// <param name="options">Region size, seed and sampling bounds; <see cref="CrashSimulationOptions.Default"/> when null.</param>
    /// <returns>Statistics and the first counterexample, if any.</returns>
    public static Task<CrashExploration> ExploreAsync(PmemModel model, Func<SimulatedPmem, Task> scenario, Action<CrashImage> check, CrashSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        return ExploreAsync(model, scenario, image => { check(image); return Task.CompletedTask; }, options);
    }

    /// <summary>Like <see cref="Explore"/>, but stops at the first failing image and throws it.</summary>
    /// <param name="model">The persistence model.</param>
    /// <param name="scenario">Code that stores through simulated primitives into <see cref="SimulatedPmem"/>.</param>
    /// <param name="check">Throws if the image is not acceptable after a crash.</param>
    /// <param name="options">Region size, seed and sampling bounds; <see cref="CrashSimulationOptions.Default"/> when null.</param>
    /// <returns>The statistics, when every image passed.</returns>
    /// <exception cref="CrashConsistencyException">An image failed; the message is the readable counterexample.</exception>
    public static CrashExploration AssertCrashConsistent(PmemModel model, Action<SimulatedPmem> scenario, Action<CrashImage> check, CrashSimulationOptions? options = null)
    {
        CrashExploration exploration = Explore(model, scenario, check, StoppingAtFirstFailure(options));
        exploration.ThrowIfFailed();
        return exploration;
    }

    /// <summary>Like <see cref="ExploreAsync(PmemModel, Func{SimulatedPmem, Task}, Func{CrashImage, Task}, CrashSimulationOptions?)"/>, but stops at the first failing image and throws it.</summary>
    /// <param name="model">The persistence model.</param>
    /// <param name="scenario">Code that stores through simulated primitives into <see cref="SimulatedPmem"/>.</param>
    /// <param name="check">Throws if the image is not acceptable after a crash.</param>
    /// <param name="options">Region size, seed and sampling bounds; <see cref="CrashSimulationOptions.Default"/> when null.</param>
    /// <returns>The statistics, when every image passed.</returns>
    /// <exception cref="CrashConsistencyException">An image failed; the message is the readable counterexample.</exception>
    public static async Task<CrashExploration> AssertCrashConsistentAsync(PmemModel model, Func<SimulatedPmem, Task> scenario, Func<CrashImage, Task> check, CrashSimulationOptions? options = null)
    {
        CrashExploration exploration = await ExploreAsync(model, scenario, check, StoppingAtFirstFailure(options)).ConfigureAwait(false);
        exploration.ThrowIfFailed();
        return exploration;
    }

    /// <summary>Like <see cref="ExploreAsync(PmemModel, Func{SimulatedPmem, Task}, Action{CrashImage}, CrashSimulationOptions?)"/>, but stops at the first failing image and throws it.</summary>
    /// <param name="model">The persistence model.</param>
    /// <param name="scenario">Code that stores through simulated primitives into <see cref="SimulatedPmem"/>.</param>
    /// <param name="check">Throws if the image is not acceptable after a crash.</param>
    /// <param name="options">Region size, seed and sampling bounds; <see cref="CrashSimulationOptions.Default"/> when null.</param>
    /// <returns>The statistics, when every image passed.</returns>
    /// <exception cref="CrashConsistencyException">An image failed; the message is the readable counterexample.</exception>
    public static async Task<CrashExploration> AssertCrashConsistentAsync(PmemModel model, Func<SimulatedPmem, Task> scenario, Action<CrashImage> check, CrashSimulationOptions? options = null)
    {
        CrashExploration exploration = await ExploreAsync(model, scenario, check, StoppingAtFirstFailure(options)).ConfigureAwait(false);
        exploration.ThrowIfFailed();
        return exploration;
    }

    private static CrashSimulationOptions StoppingAtFirstFailure(CrashSimulationOptions? options)
        => (options ?? CrashSimulationOptions.Default) with { StopAtFirstFailure = true };

    private static ScenarioRecording Record(CrashSimulationOptions options, Action<SimulatedPmem> scenario)
    {
        (SimulatedPmem pmem, ScenarioRecorder recorder) = CreateRegion(options);
        ScenarioRecording recording;
        try
        {
            using (PmemSimulation.Record(recorder))
            {
                scenario(pmem);
            }
        }
        finally
        {
            // Threads the scenario left running may still report; what they do is not part of the scenario.
            recording = recorder.Close();
        }

        return recording;
    }

    private static async Task<ScenarioRecording> RecordAsync(CrashSimulationOptions options, Func<SimulatedPmem, Task> scenario)
    {
        (SimulatedPmem pmem, ScenarioRecorder recorder) = CreateRegion(options);
        ScenarioRecording recording;
        try
        {
            using (PmemSimulation.Record(recorder))
            {
                await scenario(pmem).ConfigureAwait(false);
            }
        }
        finally
        {
            // Work the scenario left running (timers, background writeback) may still report; it is not the scenario.
            recording = recorder.Close();
        }

        return recording;
    }

    private static (SimulatedPmem Pmem, ScenarioRecorder Recorder) CreateRegion(CrashSimulationOptions options)
    {
        var region = new AlignedBuffer(options.RegionSize);
        var recorder = new ScenarioRecorder(region, options.CaptureSourceLocations);
        return (new SimulatedPmem(region, recorder), recorder);
    }
}
