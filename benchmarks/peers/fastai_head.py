"""fastai's head for a resnet body, in plain PyTorch, shared by the peers that build fastai's cnn_learner/vision_learner."""
from torch import cat, nn


class AdaptiveConcatPool2d(nn.Module):
    """fastai's: adaptive max pool and adaptive average pool to 1x1, concatenated along the channels (max first)."""

    def __init__(self):
        super().__init__()
        self.mp, self.ap = nn.AdaptiveMaxPool2d(1), nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return cat([self.mp(x), self.ap(x)], 1)


def create_head(n_out, nf=1024):
    """fastai's create_head(nf, n_out): concat pool, flatten, BN, dropout 0.25, linear to 512, ReLU, BN, dropout 0.5, linear."""
    head = nn.Sequential(AdaptiveConcatPool2d(), nn.Flatten(), nn.BatchNorm1d(nf), nn.Dropout(0.25), nn.Linear(nf, 512, bias=False),
                         nn.ReLU(inplace=True), nn.BatchNorm1d(512), nn.Dropout(0.5), nn.Linear(512, n_out, bias=False))
    for m in head:
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
    return head
