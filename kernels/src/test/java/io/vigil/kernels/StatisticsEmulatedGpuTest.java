package io.vigil.kernels;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.kernels.HostPlanes.Format;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every statistic's contract on the CUDA path with the stand-in driver (CudaStats, its descriptors and launches, and
 * the kernels' own per-thread code, run on the CPU): one container per contract, holding each of its tests, each
 * parameterised one once per pixel format, on one emulated GPU per contract, and a last case that checks, after the
 * GPU is closed, that nothing leaked and that the kernels ran. Skipped without a C compiler.
 */
class StatisticsEmulatedGpuTest {
    /** Every contract with a CUDA twin. */
    private static final List<Function<Supplier<StatisticsBackend>, ContractSupport>> CONTRACTS = List.of(
            LumaStatsContract::new, FrameDifferenceContract::new, BrngContract::new, LetterboxContract::new,
            BlockinessContract::new, ColorBarsContract::new, BlurContract::new, BlockPeakContract::new,
            StillRunContract::new);

    @TestFactory
    Stream<DynamicContainer> everyContractOnTheEmulatedGpu() {
        return CONTRACTS.stream().map(make -> {
            EmulatedGpu gpu = new EmulatedGpu();
            ContractSupport contract = make.apply(gpu::open);
            Stream<DynamicNode> cases = Stream.concat(cases(contract), Stream.of(dynamicTest(
                    "nothing leaked and the kernels ran", () -> {
                        assumeTrue(gpu.opened(), "the emulated GPU did not open");
                        contract.close();
                        gpu.assertCleanAfterClose();
                    })));
            return dynamicContainer(contract.getClass().getSimpleName(), cases);
        });
    }

    /** Each {@code @Test} of the contract once, each {@code @ParameterizedTest} once per {@link Format}. */
    private static Stream<DynamicNode> cases(ContractSupport contract) {
        return Arrays.stream(contract.getClass().getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class))
                .sorted(Comparator.comparing(Method::getName))
                .flatMap(m -> {
                    if (m.isAnnotationPresent(Test.class)) {
                        return Stream.of(dynamicTest(m.getName() + "()", () -> run(contract, m)));
                    }
                    EnumSource source = m.getAnnotation(EnumSource.class);
                    if (source == null || source.value() != Format.class || m.getParameterCount() != 1) {
                        throw new IllegalStateException(m + ": the emulated suite runs @ParameterizedTest methods"
                                + " over @EnumSource(Format.class) only; teach it this source");
                    }
                    return Arrays.stream(Format.values()).map(format -> dynamicTest(
                            m.getName() + "(" + format + ")", () -> run(contract, m, format)));
                });
    }

    /** What JUnit does for a contract's own test: open once, seed, run, free the test's arena. */
    private static void run(ContractSupport contract, Method test, Object... arguments) throws Throwable {
        contract.open();
        contract.seed(test.getName() + Arrays.toString(arguments));
        try {
            test.setAccessible(true);
            test.invoke(contract, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            contract.free();
        }
    }
}
