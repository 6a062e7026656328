#include "commands/delivery_pool.h"

namespace cwp::commands {

delivery_pool::delivery_pool(cloudwatch::shipper& shipper, cloudwatch::publisher& publisher,
                             std::size_t concurrency)
    : shipper_(&shipper),
      publisher_(&publisher),
      concurrency_(std::max<std::size_t>(1, concurrency)) {
  threads_.reserve(concurrency_);
  for (std::size_t i = 0; i < concurrency_; ++i) threads_.emplace_back([this] { work(); });
}

delivery_pool::~delivery_pool() {
  wait_idle();
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

void delivery_pool::submit(cloudwatch::taken_batch batch) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return waiting_.size() + busy_ < concurrency_; });
  waiting_.push_back(std::move(batch));
  lock.unlock();
  changed_.notify_all();
}

void delivery_pool::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return waiting_.empty() && busy_ == 0; });
}

delivery_pool::outcome delivery_pool::collect() {
  const std::lock_guard lock(mutex_);
  outcome o = std::move(settled_);
  settled_ = {};
  settled_.pending = o.pending;
  return o;
}

void delivery_pool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, nothing left
    auto batch = std::move(waiting_.front());
    waiting_.pop_front();
    ++busy_;
    lock.unlock();
    const auto r = publisher_->publish(batch.stream, batch.events, batch.emf);
    cloudwatch::delivery d;
    shipper_->settle(std::move(batch), r, d);
    lock.lock();
    --busy_;
    settled_.delivered += d.delivered;
    settled_.pending = d.pending;
    if (d.error) {
      ++settled_.failed;
      settled_.error = std::move(d.error);
    }
    changed_.notify_all();
  }
}

}  // namespace cwp::commands
