import math

import pytest
import torch
import torch.nn.functional as F

from cmid_mm.models import CMIDLocalHead, CMIDReconstructionHead, MoCoQueueHead


def _grid_coords(top, left, size=224, crop=112, grid=7):
    """Cell centres of a crop x crop box at (top, left) resized to size, no flip."""
    box = torch.tensor([[top, left, crop, crop, 0, 0]], dtype=torch.float32)
    return CMIDLocalHead.cell_centers(box, (grid, grid), (size, size))


def test_matching_picks_the_geometrically_nearest_cells():
    head = CMIDLocalHead(num_pairs=5)
    student, teacher = _grid_coords(0, 0), _grid_coords(40, 70)
    s_idx, t_idx = head.match(student, teacher)
    dist = torch.cdist(student[0], teacher[0])
    for s, t in zip(s_idx[0].tolist(), t_idx[0].tolist()):
        assert dist[s, t] == dist[s].min()  # nearest teacher cell
    kept = dist.min(1).values[s_idx[0]]
    assert kept.max() <= dist.min(1).values.sort().values[4]  # the 5 closest pairs


def test_changing_the_crop_offset_changes_the_pairs():
    """Regression for the official bug (offsets as fractions => crop position ignored)."""
    head = CMIDLocalHead(num_pairs=49)

    def pairs(teacher_top, teacher_left):
        s_idx, t_idx = head.match(_grid_coords(0, 0),
                                  _grid_coords(teacher_top, teacher_left, crop=150))
        return dict(zip(s_idx[0].tolist(), t_idx[0].tolist()))

    assert pairs(0, 0) != pairs(30, 60)
    # the official behaviour: offsets given in fractions (< 1 px) leave the pairs unchanged
    assert pairs(0, 0) == pairs(30 / 224, 60 / 224)


def test_flip_mirrors_cell_centres():
    box = torch.tensor([[10, 20, 112, 112, 1, 0]], dtype=torch.float32)
    c = CMIDLocalHead.cell_centers(box, (2, 2), (224, 224))[0]
    # view cell (0, 0) centre is at view x = 56 -> source x = 224 - 56 = 168 -> 20 + 168 / 2
    torch.testing.assert_close(c[0], torch.tensor([10 + 56 / 2, 20 + 168 / 2]))


def test_local_loss_and_centre_match_a_hand_computation():
    torch.manual_seed(0)
    head = CMIDLocalHead(out_channels=4, student_temp=0.1, center_momentum=0.9)
    head.current_teacher_temp = 0.04  # as TeacherTempWarmupHook sets it at iteration 0
    head.center.fill_(0.3)
    s, t = torch.randn(6, 4), torch.randn(6, 4)
    loss = head.loss(s, t)
    expected = 0.
    for i in range(6):
        p_t = [math.exp((t[i, k].item() - 0.3) / 0.04) for k in range(4)]
        p_t = [p / sum(p_t) for p in p_t]
        z = [s[i, k].item() / 0.1 for k in range(4)]
        log_z = math.log(sum(math.exp(v) for v in z))
        expected += -sum(p_t[k] * (z[k] - log_z) for k in range(4)) / 6
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    torch.testing.assert_close(head.center, 0.9 * 0.3 + 0.1 * t.mean(0, keepdim=True))


def test_without_the_warmup_hook_the_teacher_temperature_is_the_fixed_teacher_temp():
    head = CMIDLocalHead(out_channels=4, student_temp=0.1, teacher_temp=0.05)
    s, t = torch.randn(6, 4), torch.randn(6, 4)
    target = F.softmax(t / 0.05, dim=-1)  # centre 0 before the first update
    expected = -(target * F.log_softmax(s / 0.1, dim=-1)).sum(-1).mean()
    torch.testing.assert_close(head.loss(s, t), expected)


def test_target_stats_give_the_input_blind_floor_of_the_local_loss():
    """A student predicting the batch-mean target for every cell (the best an input-blind one
    can do) scores exactly the logged floor, which is ln K only for a uniform mean target."""
    head = CMIDLocalHead(out_channels=4, student_temp=1.0, teacher_temp=0.05)
    t = torch.tensor([[1., 0, 0, 0], [1., 0, 0, 0], [0, 1., 0, 0], [1., 0, 0, 0]])
    target = F.softmax(t / 0.05, dim=-1)  # centre 0 before the first update
    mean = target.mean(0)
    blind = head.loss(mean.log().expand(4, 4), t)  # log-probabilities as logits (temp 1)
    stats = head.last_target_stats
    assert stats['blind_floor'].item() == pytest.approx(blind.item(), rel=1e-5)
    assert stats['blind_floor'].item() < math.log(4) - 0.3
    entropy = -(target * target.log()).sum(-1).mean()
    assert stats['target_entropy'].item() == pytest.approx(entropy.item(), rel=1e-5)


def test_matched_cells_gathers_the_matched_student_and_other_view_teacher_cells():
    head = CMIDLocalHead(num_pairs=3)
    boxes = torch.tensor([[0, 0, 112, 112, 0, 0], [40, 70, 150, 150, 1, 0]], dtype=torch.float32)
    student, teacher = torch.randn(2, 5, 4, 4), torch.randn(2, 5, 4, 4)
    student_cells, teacher_cells = head.matched_cells(student, teacher, boxes, (224, 224))
    coords = CMIDLocalHead.cell_centers(boxes, (4, 4), (224, 224))
    s_idx, t_idx = head.match(coords, coords.flip(0))
    for view in range(2):
        for p in range(3):
            row = view * 3 + p
            torch.testing.assert_close(student_cells[row],
                                       student[view].flatten(1)[:, s_idx[view, p]])
            torch.testing.assert_close(teacher_cells[row],
                                       teacher[1 - view].flatten(1)[:, t_idx[view, p]])


def test_global_loss_matches_a_hand_infonce():
    torch.manual_seed(0)
    head = MoCoQueueHead(queue_len=8, feat_dim=4, temperature=0.2)
    q, k = torch.randn(4, 4), torch.randn(4, 4)  # B = 2: [view1; view2]
    queue = head.queue.clone()
    loss = head.loss(q, k)
    qn, kn = F.normalize(q, dim=1), F.normalize(k, dim=1)

    def nce(a, b):
        logits = torch.cat([(a * b).sum(1, keepdim=True), a @ queue], 1) / 0.2
        return -torch.log_softmax(logits, 1)[:, 0].mean()

    expected = (nce(qn[:2], kn[2:]) + nce(qn[2:], kn[:2])) / 2
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_global_loss_and_gradient_equal_a_hand_infonce_at_the_paper_width():
    """Loss and gradient of the query against one cross-entropy InfoNCE per view, averaged
    (the keys and the queue get no gradient)."""
    torch.manual_seed(0)
    head = MoCoQueueHead(queue_len=4096, feat_dim=256, temperature=0.2)
    queue = head.queue.clone()
    query = torch.randn(16, 256, requires_grad=True)  # B = 8: [view1; view2]
    key = torch.randn(16, 256)
    loss = head.loss(query, key)
    grad, = torch.autograd.grad(loss, query)

    ref_query = query.detach().clone().requires_grad_()
    (q1, q2), (k1, k2) = F.normalize(ref_query, dim=1).chunk(2), F.normalize(key, dim=1).chunk(2)

    def nce(q, k):
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue], 1) / 0.2
        return F.cross_entropy(logits, torch.zeros(len(q), dtype=torch.long))

    ref = (nce(q1, k2) + nce(q2, k1)) / 2
    ref_grad, = torch.autograd.grad(ref, ref_query)
    torch.testing.assert_close(loss, ref, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(grad, ref_grad, rtol=1e-5, atol=1e-8)


def test_queue_pointer_and_contents_after_two_steps():
    torch.manual_seed(0)
    head = MoCoQueueHead(queue_len=6, feat_dim=3)
    keys = [torch.randn(4, 3) for _ in range(2)]
    for k in keys:
        head.loss(torch.randn(4, 3), k)
    assert int(head.queue_ptr) == 8 % 6
    # step 1 wrote slots 0..3, step 2 wrote 4, 5 then wrapped to 0, 1
    k1, k2 = (F.normalize(k, dim=1) for k in keys)
    torch.testing.assert_close(head.queue.T, torch.cat([k2[2:], k1[2:], k2[:2]]))


def test_too_many_keys_for_the_queue_is_a_clear_error():
    head = MoCoQueueHead(queue_len=2, feat_dim=3)
    with pytest.raises(ValueError, match='queue_len'):
        head.loss(torch.randn(4, 3), torch.randn(4, 3))


def _focal_fft_loss(pred, target):
    """Focal frequency loss written from the paper (alpha 1, batch-mean spectrum, log weights)."""
    fp = torch.fft.fft2(pred, norm='ortho').mean(0)
    ft = torch.fft.fft2(target, norm='ortho').mean(0)
    dist = (fp - ft).abs() ** 2
    w = torch.log(dist.sqrt() + 1)
    w = (w / w.max()).clamp(0, 1)
    return (w * dist).mean()


def test_reconstruction_loss_matches_a_hand_computation():
    torch.manual_seed(0)
    pred, target = torch.randn(4, 3, 64, 64), torch.randn(4, 3, 64, 64)
    mask = (torch.rand(4, 2, 2) > 0.5).float()
    loss = CMIDReconstructionHead().loss(pred, target, mask)
    expected = 0.
    for v in range(2):  # the two views: images [0, 1] and [2, 3]
        p, t = pred[2 * v:2 * v + 2], target[2 * v:2 * v + 2]
        m = mask[2 * v:2 * v + 2].repeat_interleave(32, 1).repeat_interleave(32, 2)[:, None]
        e = (p - t).abs()
        focal = e * (2 * torch.sigmoid(0.2 * e) - 1)
        spatial = (focal * m).sum() / (m.sum() + 1e-5) / 3
        mixed = p * m + (0.001 * p + 0.999 * (0.5 * p + 0.5 * t)) * (1 - m)
        expected += (spatial + _focal_fft_loss(mixed, t)) / 2
    assert loss.item() == pytest.approx(expected.item(), rel=1e-4)


def test_reconstruction_gradient_comes_mostly_from_masked_pixels():
    pred = torch.zeros(2, 3, 32, 32, requires_grad=True)
    target = torch.ones(2, 3, 32, 32)
    mask = torch.zeros(2, 2, 2)
    mask[:, 0, 0] = 1
    CMIDReconstructionHead().loss(pred, target, mask).backward()
    g = pred.grad.abs()
    assert g[:, :, :16, :16].mean() > 100 * g[:, :, 16:, 16:].mean()
