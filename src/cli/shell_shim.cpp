#include "cli/shell_shim.h"

#include <string>

namespace cwp::cli {

std::optional<int> answer_as_shell(std::string_view argv0, std::ostream& err) {
  const auto slash = argv0.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  if (name != "sh" && name != "bash") return std::nullopt;
  // Plain text for the person who typed the command; the arguments are not echoed (a `-c`
  // script may hold a secret).
  err << "cloudwatch-publisher: this image has no shell: " << argv0
      << " is cloudwatch-publisher under another name, and runs nothing.\n"
         "  A shell: the debug image is the same binary on Debian with bash and the AWS CLI:\n"
         "    docker build --target debug -t cloudwatch-publisher:debug .\n"
         "    docker run -it --rm --entrypoint /bin/bash -e AWS_ACCESS_KEY_ID "
         "-e AWS_SECRET_ACCESS_KEY -e AWS_REGION cloudwatch-publisher:debug\n"
         "  A diagnosis (credentials, region, endpoints, clock, log group, permissions), in "
         "this image:\n"
         "    docker run --rm -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_REGION "
         "cloudwatch-publisher check\n";
  err.flush();
  return shell_shim_exit_code;
}

}  // namespace cwp::cli
