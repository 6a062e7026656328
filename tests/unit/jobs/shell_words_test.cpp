#include "jobs/shell_words.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cwp::jobs {
namespace {

using strings = std::vector<std::string>;

// "offset: what" of the first shell construct, or "plain".
std::string construct(std::string_view command) {
  const auto c = find_shell_construct(command);
  return c ? std::to_string(c->offset) + ": " + c->what : "plain";
}

TEST(ShellWords, ProgramWithPlainArgumentsNeedsNoShell) {
  EXPECT_EQ(construct("/usr/local/bin/backup --full /data"), "plain");
  EXPECT_EQ(construct("curl -fsS --retry 3 https://example.com/ping?"), "44: '?' (a glob pattern)");
  EXPECT_EQ(construct("date +%Y-%m-%d"), "plain");  // % is not special to a shell
  EXPECT_EQ(construct("app --level=3 key=value a~b a#b"), "plain");
}

TEST(ShellWords, EachShellCharacterIsFoundWhereItIs) {
  EXPECT_EQ(construct("a | b"), "2: '|' (a pipe)");
  EXPECT_EQ(construct("a && b"), "2: '&' ('&' or '&&')");
  EXPECT_EQ(construct("a; b"), "1: ';' (a command separator)");
  EXPECT_EQ(construct("a >/dev/null"), "2: '>' (a redirection)");
  EXPECT_EQ(construct("a </dev/null"), "2: '<' (a redirection)");
  EXPECT_EQ(construct("a (b)"), "2: '(' (a subshell)");
  EXPECT_EQ(construct("echo $HOME"), "5: '$' (an expansion)");
  EXPECT_EQ(construct("echo `date`"), "5: '`' (command substitution)");
  EXPECT_EQ(construct("echo 'a b'"), "5: ''' (quoting)");
  EXPECT_EQ(construct("echo \"a\""), "5: '\"' (quoting)");
  EXPECT_EQ(construct("echo a\\ b"), "6: '\\' (an escape)");
  EXPECT_EQ(construct("rm /tmp/*.log"), "8: '*' (a glob pattern)");
  EXPECT_EQ(construct("ls file[12]"), "7: '[' (a glob pattern)");
  EXPECT_EQ(construct("cp a{,.bak}"), "4: '{' (braces)");
}

TEST(ShellWords, TildeAndHashAreShellSyntaxOnlyAtTheStartOfAWord) {
  EXPECT_EQ(construct("ls ~/data"), "3: '~' (home directory expansion)");
  EXPECT_EQ(construct("run # nightly"), "4: '#' (a comment)");
  EXPECT_EQ(construct("run a~ b#"), "plain");
}

TEST(ShellWords, LeadingAssignmentNeedsAShell) {
  EXPECT_EQ(construct("LANG=C sort file"), "0: 'LANG=' (a variable assignment before the program)");
  EXPECT_EQ(construct("sort LANG=C"), "plain");
  EXPECT_EQ(construct("=x run"), "plain");  // not an assignment: no name
}

TEST(ShellWords, KeywordsAndBuiltinsAsTheFirstWordNeedAShell) {
  EXPECT_EQ(construct("if true"), "0: 'if' (a shell keyword)");
  EXPECT_EQ(construct("! false"), "0: '!' (a shell keyword)");
  EXPECT_EQ(construct("cd /app"), "0: 'cd' (a shell builtin, not a program)");
  EXPECT_EQ(construct("exec /app/run"), "0: 'exec' (a shell builtin, not a program)");
  EXPECT_EQ(construct("echo if cd done"), "plain");  // only the first word is a command
}

TEST(ShellWords, LeadingBlanksCountInTheOffset) {
  EXPECT_EQ(construct("  a|b"), "3: '|' (a pipe)");
}

TEST(ShellWords, SplitBlanksSplitsOnSpacesAndTabs) {
  EXPECT_EQ(split_blanks("  /bin/app\t-v   x  "), (strings{"/bin/app", "-v", "x"}));
  EXPECT_EQ(split_blanks(""), strings{});
}

using commands = std::vector<strings>;

TEST(ShellWords, SimpleCommandsSplitAtOperators) {
  EXPECT_EQ(
      simple_commands("cd /app && ./run.sh daily | logger; true & sleep 1 || x"),
      (commands{
          {"cd", "/app"}, {"./run.sh", "daily"}, {"logger"}, {"true"}, {"sleep", "1"}, {"x"}}));
}

TEST(ShellWords, SimpleCommandsRemoveQuotesAndEscapes) {
  EXPECT_EQ(simple_commands(R"(echo 'a b' "c \"d\" \x" e\ f)"),
            (commands{{"echo", "a b", R"(c "d" \x)", "e f"}}));
}

TEST(ShellWords, SimpleCommandsDropRedirectionsAndTheirTargets) {
  EXPECT_EQ(simple_commands("backup daily >>/var/log/b.log 2>&1 </dev/null"),
            (commands{{"backup", "daily"}}));
  EXPECT_EQ(simple_commands("backup > log daily"), (commands{{"backup", "daily"}}));
}

TEST(ShellWords, SimpleCommandsStopAtAComment) {
  EXPECT_EQ(simple_commands("backup daily # every night"), (commands{{"backup", "daily"}}));
  EXPECT_EQ(simple_commands("backup a#b"), (commands{{"backup", "a#b"}}));
}

TEST(ShellWords, SimpleCommandsToleratesUnclosedQuotes) {
  EXPECT_EQ(simple_commands("echo 'open"), (commands{{"echo", "open"}}));
  EXPECT_EQ(simple_commands("echo \"open\\"), (commands{{"echo", "open\\"}}));
  EXPECT_EQ(simple_commands("echo \\"), (commands{{"echo", "\\"}}));
}

}  // namespace
}  // namespace cwp::jobs
