package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java records (FrameRecords) against the C structs the kernels read (vigil_stats.h): a C program compiled from
 * the header prints every field's offset and size, and the launch constants; they must equal the Java layouts'.
 */
class RecordLayoutTest {
    @Test
    void javaLayoutsHaveTheSizesTheKernelsExpect() {
        assertThat(FrameRecords.DESCRIPTOR.byteSize()).isEqualTo(216);
        assertThat(FrameRecords.RESULT.byteSize()).isEqualTo(160);
        assertThat(FrameRecords.DESCRIPTOR.byteAlignment()).isEqualTo(8);
        // Descriptors sit back to back in one buffer: every record stays 8-byte aligned.
        assertThat(FrameRecords.DESCRIPTOR_BYTES % 8).isZero();
        assertThat(FrameRecords.RESULT_BYTES % 8).isZero();
    }

    @Test
    void javaLayoutsMatchTheCStructsField(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        assumeTrue(NativeTools.cc().isPresent(), "no C compiler (cc) to compile vigil_stats.h");
        assumeTrue(NativeTools.cudaSources().isPresent(), "no kernels sources (src/main/cuda) here");
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include "vigil_stats.h"
                #define FIELD(type, field) printf(#type " " #field " %zu %zu\\n", offsetof(type, field), \
                        sizeof(((type *) 0)->field))
                int main(void) {
                    printf("VigilFrameDesc size %zu\\n", sizeof(VigilFrameDesc));
                    printf("VigilFrameResult size %zu\\n", sizeof(VigilFrameResult));
                    printf("const VIGIL_MAX_PLANES %d\\n", VIGIL_MAX_PLANES);
                    printf("const VIGIL_BLOCK_THREADS %d\\n", VIGIL_BLOCK_THREADS);
                    printf("const VIGIL_INIT_THREADS %d\\n", VIGIL_INIT_THREADS);
                    printf("const VIGIL_WARP_SIZE %d\\n", VIGIL_WARP_SIZE);
                    printf("const VIGIL_FIRST_BLUR_BLOCK %d\\n", VIGIL_FIRST_BLUR_BLOCK);
                    printf("const VIGIL_PEAK_BLOCK %d\\n", VIGIL_PEAK_BLOCK);
                """);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("VigilFrameDesc size", Long.toString(FrameRecords.DESCRIPTOR.byteSize()));
        expected.put("VigilFrameResult size", Long.toString(FrameRecords.RESULT.byteSize()));
        expected.put("const VIGIL_MAX_PLANES", Integer.toString(FrameRecords.MAX_PLANES));
        expected.put("const VIGIL_BLOCK_THREADS", Integer.toString(FrameRecords.BLOCK_THREADS));
        expected.put("const VIGIL_INIT_THREADS", Integer.toString(FrameRecords.INIT_THREADS));
        expected.put("const VIGIL_WARP_SIZE", Integer.toString(FrameRecords.WARP_SIZE));
        expected.put("const VIGIL_FIRST_BLUR_BLOCK", Integer.toString(CudaStats.FIRST_BLUR_BLOCK));
        expected.put("const VIGIL_PEAK_BLOCK", Integer.toString(CudaStats.PEAK_BLOCK));
        for (StructLayout struct : List.of(FrameRecords.DESCRIPTOR, FrameRecords.RESULT)) {
            String type = struct.name().orElseThrow();
            long end = 0;
            for (MemoryLayout member : struct.memberLayouts()) {
                String field = member.name().orElseThrow(() -> new AssertionError("unnamed member in " + type));
                long offset = struct.byteOffset(MemoryLayout.PathElement.groupElement(field));
                assertThat(offset).as("%s.%s follows the previous field with no padding", type, field).isEqualTo(end);
                end = offset + member.byteSize();
                c.append("    FIELD(").append(type).append(", ").append(field).append(");\n");
                expected.put(type + " " + field, offset + " " + member.byteSize());
            }
            assertThat(end).as("%s has no trailing padding", type).isEqualTo(struct.byteSize());
        }
        c.append("    return 0;\n}\n");
        Path source = dir.resolve("layout.c");
        Path program = dir.resolve("layout");
        Files.writeString(source, c);
        NativeTools.runOk(List.of(NativeTools.cc().orElseThrow().toString(), "-std=c11", "-Wall", "-Werror", "-I",
                NativeTools.cudaSources().orElseThrow().toString(), "-o", program.toString(), source.toString()));
        String output = NativeTools.runOk(List.of(program.toString()));
        Map<String, String> actual = new LinkedHashMap<>();
        for (String line : output.strip().split("\n")) {
            String[] words = line.split(" ");
            List<String> values = new ArrayList<>(List.of(words).subList(2, words.length));
            actual.put(words[0] + " " + words[1], String.join(" ", values));
        }
        System.out.print(output);
        assertThat(actual).as("offset and size of each field, C (left: Java)").isEqualTo(expected);
    }
}
