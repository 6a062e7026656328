# Compiler warnings and hardening flags applied to every target of this project through the
# cwp_options interface library. Third-party headers come in as SYSTEM includes, so -Werror
# only ever judges our own code.
add_library(cwp_options INTERFACE)
target_compile_options(cwp_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wdouble-promotion
  -Wimplicit-fallthrough -Wformat=2 -Wnull-dereference -Wsuggest-override
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op>
  # GCC 12 (Debian bookworm) warns -Wrestrict inside libstdc++'s own std::string code whenever
  # `"literal" + std::string&&` is inlined at -O2/-O3: a false positive, GCC bug 105329, fixed in
  # GCC 13. Off for GCC < 13 only, so a newer compiler still checks our code for it.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
  -fstack-protector-strong -fno-plt
  $<$<BOOL:${CWP_WERROR}>:-Werror>)
target_compile_definitions(cwp_options INTERFACE
  $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>
  CWP_VERSION="${PROJECT_VERSION}")
target_link_options(cwp_options INTERFACE -Wl,-z,relro,-z,now)

if(CWP_SANITIZE)
  target_compile_options(cwp_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(cwp_options INTERFACE -fsanitize=address,undefined)
endif()

if(CWP_STATIC)
  target_compile_options(cwp_options INTERFACE -ffunction-sections -fdata-sections)
  target_link_options(cwp_options INTERFACE -static -Wl,--gc-sections -s)
endif()
