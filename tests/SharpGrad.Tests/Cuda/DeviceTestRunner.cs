using System.Diagnostics;
using System.Reflection;
using Xunit;
using Xunit.Sdk;

namespace SharpGrad.Tests.Cuda;

/// <summary>
/// The entry point of this test assembly when it is published self-contained for a GPU machine, which has no .NET SDK
/// to run <c>dotnet test</c> (.ci/gpu-check.sh): <c>SharpGrad.Tests --device-tests</c> runs every test class of
/// category Device in this namespace (the kernel and tensor tests, which need no SDK) on cuda:0, with
/// SHARPGRAD_TEST_CUDA set (or on the simulator with <c>--simulator</c>), by reflection: facts, and theories with
/// their inline data. Under <c>dotnet test</c> the
/// test host runs the tests and this entry point is not used (GenerateProgramFile is off for it).
/// </summary>
internal static class DeviceTestRunner
{
    public static int Main(string[] args)
    {
        if (args is not ["--device-tests", ..])
        {
            Console.Error.WriteLine("usage: SharpGrad.Tests --device-tests [--simulator] [NAME-SUBSTRING]   (run the tests with dotnet test otherwise)");
            return 2;
        }
        bool simulator = args.Contains("--simulator"); // ILGPU's CPU simulator, as in CI: for checking this runner without a GPU
        if (!simulator) Environment.SetEnvironmentVariable("SHARPGRAD_TEST_CUDA", "1"); // before TestDevices reads it: the GPU
        string? filter = args.Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
        int passed = 0, failed = 0, skipped = 0;
        foreach (Type type in typeof(DeviceTestRunner).Assembly.GetTypes().Where(IsDeviceClass).OrderBy(t => t.Name))
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.MetadataToken))
            {
                if (method.GetCustomAttribute<FactAttribute>() is not { } fact) continue;
                string name = $"{type.Name}.{method.Name}";
                if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
                if (fact.Skip is { } why)
                {
                    skipped++;
                    Console.WriteLine($"SKIP {name}: {why}");
                    continue;
                }
                object?[][] cases = fact is TheoryAttribute
                    ? [.. method.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(method))]
                    : [[]];
                foreach (object?[] data in cases)
                {
                    string label = cases.Length > 1 || data.Length > 0 ? $"{name}({string.Join(", ", data.Select(Format))})" : name;
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        Invoke(type, method, data);
                        passed++;
                        Console.WriteLine($"PASS {label} ({Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s)");
                    }
                    catch (Exception e)
                    {
                        failed++;
                        Exception cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
                        Console.WriteLine($"FAIL {label}: {cause.GetType().Name}: {cause.Message}");
                        Console.WriteLine(cause.StackTrace);
                    }
                }
            }
        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    private static string Format(object? value) => value is System.Collections.IEnumerable items and not string
        ? $"[{string.Join(", ", items.Cast<object?>())}]"
        : $"{value}";

    private static bool IsDeviceClass(Type type) =>
        type.Namespace == typeof(DeviceTestRunner).Namespace && type.IsClass && !type.IsAbstract &&
        type.GetCustomAttributes<TraitAttribute>().Any() &&
        type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments is [{ Value: "Category" }, { Value: "Device" }]);

    private static void Invoke(Type type, MethodInfo method, object?[] data)
    {
        object instance = Activator.CreateInstance(type)!;
        try
        {
            object? result = method.Invoke(instance, data);
            if (result is Task task) task.GetAwaiter().GetResult();
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }
}
